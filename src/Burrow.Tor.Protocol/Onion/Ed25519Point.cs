// Ed25519 group operations for onion-service key blinding (rend-spec-v3 A.2) and the torsion check on
// onion addresses (rend-spec-v3 2.2.7). The curve arithmetic is libsodium's (NuGet "libsodium", its
// crypto_scalarmult_ed25519_noclamp and crypto_core_ed25519_is_valid_point); no field code lives here.
using System.Reflection;
using System.Runtime.InteropServices;

namespace Burrow.Tor.Protocol.Onion;

/// <summary>Scalar multiplication and validity checks on compressed Ed25519 points.</summary>
internal static partial class Ed25519Point
{
    public const int Length = 32;

    private const string Library = "libsodium";
    private static readonly Lazy<bool> Initialized = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    static Ed25519Point()
    {
        // A PowerShell module is loaded without its deps.json, so the runtime does not look in
        // runtimes/<rid>/native by itself: look there beside this assembly before giving up.
        NativeLibrary.SetDllImportResolver(typeof(Ed25519Point).Assembly, Resolve);
    }

    /// <summary>
    /// True when <paramref name="point"/> is a canonical encoding of a point in the prime-order
    /// subgroup that is not of small order (so it has no torsion component).
    /// </summary>
    public static bool IsValidPrimeOrderPoint(ReadOnlySpan<byte> point)
    {
        if (point.Length != Length)
            return false;
        EnsureInitialized();
        return crypto_core_ed25519_is_valid_point(point) == 1;
    }

    /// <summary>
    /// <paramref name="result"/> = <paramref name="scalar"/> * <paramref name="point"/> without
    /// clamping the scalar. False when the point is invalid or the product is the identity.
    /// </summary>
    public static bool TryScalarMult(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> point, Span<byte> result)
    {
        if (scalar.Length != 32 || point.Length != Length || result.Length < Length)
            throw new ArgumentException("Ed25519 scalar multiplication takes a 32-byte scalar and a 32-byte point");
        EnsureInitialized();
        return crypto_scalarmult_ed25519_noclamp(result, scalar, point) == 0;
    }

    private static void EnsureInitialized()
    {
        if (!Initialized.Value)
            throw new InvalidOperationException("libsodium could not be initialised (sodium_init failed)");
    }

    private static bool Initialize()
    {
        try
        {
            return sodium_init() >= 0;   // 1 = already initialised: fine too
        }
        catch (DllNotFoundException e)
        {
            throw new InvalidOperationException(
                "The libsodium native library was not found; onion services need it for Ed25519 key blinding. " +
                "It ships with the module under runtimes/<rid>/native: " + e.Message, e);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != Library)
            return IntPtr.Zero;
        if (NativeLibrary.TryLoad(name, assembly, searchPath, out var handle))
            return handle;
        var dir = Path.GetDirectoryName(assembly.Location);
        if (string.IsNullOrEmpty(dir))
            return IntPtr.Zero;
        var file = OperatingSystem.IsWindows() ? "libsodium.dll" : OperatingSystem.IsMacOS() ? "libsodium.dylib" : "libsodium.so";
        foreach (var rid in CandidateRids())
        {
            var path = Path.Combine(dir, "runtimes", rid, "native", file);
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out handle))
                return handle;
        }
        return IntPtr.Zero;
    }

    private static IEnumerable<string> CandidateRids()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (OperatingSystem.IsWindows())
            yield return "win-" + arch;
        else if (OperatingSystem.IsMacOS())
            yield return "osx-" + arch;
        else
        {
            yield return "linux-" + arch;
            yield return "linux-musl-" + arch;
        }
    }

    [LibraryImport(Library)]
    private static partial int sodium_init();

    [LibraryImport(Library)]
    private static partial int crypto_core_ed25519_is_valid_point(ReadOnlySpan<byte> p);

    [LibraryImport(Library)]
    private static partial int crypto_scalarmult_ed25519_noclamp(Span<byte> q, ReadOnlySpan<byte> n, ReadOnlySpan<byte> p);
}
