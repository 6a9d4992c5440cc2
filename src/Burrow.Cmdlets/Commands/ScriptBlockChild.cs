using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace Burrow.Cmdlets.Commands;

/// <summary>
/// A script block run in a child pwsh (the same pwsh as this one) inside the command's namespace. The child runs a
/// small wrapper that sends every record of every stream (*&gt;&amp;1) back as one line of serialized CLIXML
/// (PSSerializer, as jobs do), marked so that text the script writes straight to the console stays text. The exit
/// code is the script's <c>exit N</c>, else 1 after a terminating error, else the last native command's, else 0.
/// </summary>
internal static class ScriptBlockChild
{
    /// <summary>Marks a line that carries one serialized record (a record separator, then a tag).</summary>
    public const string Marker = "\u001eBURROW ";

    /// <summary>Above this the command line would pass the kernel's limit for one argument (128 KiB).</summary>
    private const int MaxEncodedLength = 120_000;

    private const string Wrapper = """
        $ProgressPreference = 'SilentlyContinue'
        $__burrowOut = [Console]::Out
        function __burrowEmit($record) {
            $__burrowOut.WriteLine('{MARKER}' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes([System.Management.Automation.PSSerializer]::Serialize($record, 2))))
            $__burrowOut.Flush()
        }
        $__burrowArgs = @([System.Management.Automation.PSSerializer]::Deserialize([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('{ARGS}'))))
        $__burrowScript = [scriptblock]::Create([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('{SCRIPT}')))
        $__burrowFailed = $false
        $global:LASTEXITCODE = 0
        try { & $__burrowScript @__burrowArgs *>&1 | ForEach-Object { __burrowEmit $_ } }
        catch { __burrowEmit $_; $__burrowFailed = $true }
        if ($__burrowFailed) { exit 1 } elseif ($global:LASTEXITCODE) { exit $global:LASTEXITCODE } else { exit 0 }
        """;

    /// <summary>The program and arguments that run <paramref name="script"/> with <paramref name="arguments"/> in a child pwsh.</summary>
    public static (string File, List<string> Arguments) Command(ScriptBlock script, object[]? arguments)
    {
        var args = PSSerializer.Serialize(arguments ?? [], 2);
        var text = Wrapper
            .Replace("{MARKER}", Marker, StringComparison.Ordinal)
            .Replace("{ARGS}", Convert.ToBase64String(Encoding.UTF8.GetBytes(args)), StringComparison.Ordinal)
            .Replace("{SCRIPT}", Convert.ToBase64String(Encoding.UTF8.GetBytes(script.ToString())), StringComparison.Ordinal);
        var encoded = Convert.ToBase64String(Encoding.Unicode.GetBytes(text));
        if (encoded.Length > MaxEncodedLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"the script block and its arguments are too large to pass to the child pwsh ({encoded.Length} characters encoded; at most {MaxEncodedLength}); put the script in a file and run it with -FilePath pwsh -ArgumentList -File, path"));
        var (file, prefix) = Pwsh();
        var list = new List<string>(prefix) { "-NoProfile", "-NonInteractive", "-NoLogo", "-EncodedCommand", encoded };
        return (file, list);
    }

    /// <summary>
    /// This pwsh: its own executable when it runs as pwsh, else (a tool install, `dotnet pwsh`) the dotnet host with
    /// $PSHOME/pwsh.dll, which is how this one runs.
    /// </summary>
    internal static (string File, string[] Prefix) Pwsh()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("this process's executable is unknown");
        var home = Path.GetDirectoryName(typeof(PSObject).Assembly.Location) ?? "";
        if (Path.GetFileNameWithoutExtension(process).Equals("pwsh", StringComparison.OrdinalIgnoreCase))
            return (process, []);
        var dll = Path.Combine(home, "pwsh.dll");
        if (File.Exists(dll))
            return (process, [dll]);
        var apphost = Path.Combine(home, "pwsh");
        if (File.Exists(apphost))
            return (apphost, []);
        throw new InvalidOperationException($"cannot find this PowerShell's pwsh to run the script block (looked in {home})");
    }

    /// <summary>A line of the child's stdout: a record it sent, or null for plain text.</summary>
    public static PSObject? Decode(string line)
    {
        if (!line.StartsWith(Marker, StringComparison.Ordinal))
            return null;
        var xml = Encoding.UTF8.GetString(Convert.FromBase64String(line.AsSpan(Marker.Length).Trim().ToString()));
        return PSObject.AsPSObject(PSSerializer.Deserialize(xml));
    }

    /// <summary>What kind of stream record a deserialized object is (by its type name), or null for output.</summary>
    public static string? RecordKind(PSObject o)
    {
        foreach (var name in o.TypeNames)
        {
            switch (name)
            {
                case "Deserialized.System.Management.Automation.ErrorRecord": return "Error";
                case "Deserialized.System.Management.Automation.WarningRecord": return "Warning";
                case "Deserialized.System.Management.Automation.VerboseRecord": return "Verbose";
                case "Deserialized.System.Management.Automation.DebugRecord": return "Debug";
                case "Deserialized.System.Management.Automation.InformationRecord": return "Information";
                case "Deserialized.System.Management.Automation.ProgressRecord": return "Progress";
            }
        }
        return null;
    }

    /// <summary>An error record rebuilt from a deserialized one (as remoting does): message, error id, category, target.</summary>
    public static ErrorRecord ToErrorRecord(PSObject o)
    {
        var exception = o.Properties["Exception"]?.Value as PSObject;
        var message = exception?.Properties["Message"]?.Value as string ?? o.ToString();
        var id = o.Properties["FullyQualifiedErrorId"]?.Value as string ?? "ScriptBlockError";
        var category = o.Properties["ErrorCategory_Category"]?.Value is int c && Enum.IsDefined(typeof(ErrorCategory), c) ? (ErrorCategory)c : ErrorCategory.NotSpecified;
        var remote = new RemoteException(message);
        return new ErrorRecord(remote, id, category, o.Properties["TargetObject"]?.Value);
    }

    public static string Message(PSObject o) => o.Properties["Message"]?.Value as string ?? o.ToString();

    public static InformationRecord ToInformationRecord(PSObject o)
    {
        var data = o.Properties["MessageData"]?.Value;
        if (data is PSObject p && p.Properties["Message"]?.Value is string hostText)
            data = new HostInformationMessage { Message = hostText, NoNewLine = p.Properties["NoNewLine"]?.Value as bool? ?? false };
        var record = new InformationRecord(data, o.Properties["Source"]?.Value as string ?? "Invoke-BurrowCommand");
        if (o.Properties["Tags"]?.Value is PSObject { BaseObject: System.Collections.IEnumerable tags })
            foreach (var t in tags)
                if (t?.ToString() is { } tag)
                    record.Tags.Add(tag);
        return record;
    }
}
