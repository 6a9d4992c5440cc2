using System.Diagnostics;
using Burrow.Core.Configuration;

namespace Burrow.Core.Tests.Configuration;

/// <summary>Payload files that cannot be read: each says why, none is read past the size limit, none blocks.</summary>
public sealed class PayloadFileTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("burrow-payload-file-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static PayloadException Refused(string path, PayloadFileProblem problem)
    {
        var e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(path));
        Assert.Equal(problem, e.FileProblem);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"cannot read the payload file '{path}': ", e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void A_missing_file_is_not_found()
        => Refused(Path.Combine(_dir.FullName, "none.toml"), PayloadFileProblem.NotFound);

    [Fact]
    public void A_directory_is_called_a_directory()
        => Assert.Contains("it is a directory", Refused(_dir.FullName, PayloadFileProblem.IsDirectory).Message, StringComparison.Ordinal);

    [Fact]
    public void A_device_that_never_ends_is_refused_before_reading()
        => Assert.Contains("not a regular file", Refused("/dev/zero", PayloadFileProblem.NotRegularFile).Message, StringComparison.Ordinal);

    [Fact]
    public void A_fifo_is_refused_without_waiting_for_a_writer()
    {
        var fifo = Path.Combine(_dir.FullName, "payload.fifo");
        using (var mk = Process.Start("mkfifo", fifo)!)
            mk.WaitForExit();
        Assert.True(File.Exists(fifo));
        // Opening a FIFO with no writer blocks forever: the refusal must come from the type check.
        var parse = Task.Run(() => Refused(fifo, PayloadFileProblem.NotRegularFile));
        Assert.True(parse.Wait(TimeSpan.FromSeconds(30)), "ParseFile blocked on a FIFO");
    }

    [Fact]
    public void A_binary_file_is_called_binary()
    {
        var path = Path.Combine(_dir.FullName, "image.toml");
        File.WriteAllBytes(path, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00]);
        Assert.Contains("binary file", Refused(path, PayloadFileProblem.Binary).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_named()
    {
        var path = Path.Combine(_dir.FullName, "latin1.toml");
        File.WriteAllBytes(path, [(byte)'m', (byte)'t', (byte)'u', (byte)'=', 0xE9, (byte)'\n']);
        Assert.Contains("not UTF-8 text (an invalid byte at offset 4)", Refused(path, PayloadFileProblem.Binary).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_limit_is_too_large()
    {
        var path = Path.Combine(_dir.FullName, "big.toml");
        File.WriteAllText(path, "# " + new string('x', PayloadParser.MaxPayloadLength));
        Refused(path, PayloadFileProblem.TooLarge);
    }

    [Fact]
    public void A_readable_file_with_a_byte_order_mark_still_parses()
    {
        var path = Path.Combine(_dir.FullName, "ok.toml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. "mtu = 1300\n"u8.ToArray()]);
        Assert.Equal(1300, PayloadParser.ParseFile(path).Mtu);
    }

    [Fact]
    public void Invalid_content_is_a_payload_error_not_a_file_problem()
    {
        var path = Path.Combine(_dir.FullName, "bad.toml");
        File.WriteAllText(path, "mtu = 70000\n");
        var e = Assert.Throws<PayloadException>(() => PayloadParser.ParseFile(path));
        Assert.Null(e.FileProblem);
    }
}
