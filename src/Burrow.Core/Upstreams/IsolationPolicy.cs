using System.Globalization;
using System.Net;
using System.Text;
using Burrow.Core.Net;

namespace Burrow.Core.Upstreams;

/// <summary>
/// Composes the isolation key of a stream or a DNS lookup from the payload's <c>isolate</c> list:
/// two requests share a circuit only when every chosen field is equal. DNS lookups use the same
/// fields, with the queried name as the destination, so a lookup and the connection to the name it
/// returned (by host name, through a virtual address) travel on the same circuit.
/// </summary>
public sealed class IsolationPolicy
{
    /// <summary>C tor's TransPort default plus the destination: client address and destination address.</summary>
    public static readonly IsolationPolicy Default = new([IsolationField.ClientAddress, IsolationField.DestinationAddress]);

    public IsolationPolicy(IEnumerable<IsolationField> fields)
        : this(fields, null)
    {
    }

    private IsolationPolicy(IEnumerable<IsolationField> fields, string? scope)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Fields = fields.Distinct().Order().ToArray();
        Scope = scope;
    }

    /// <summary>
    /// A scope every key of this policy carries (Invoke-BurrowCommand's invocation): keys of different scopes,
    /// and scoped and unscoped keys, never match, whatever the fields say. Null for a network's own policy.
    /// </summary>
    public string? Scope { get; }

    /// <summary>The same fields within <paramref name="scope"/>: its streams and lookups share no circuit with any other scope's.</summary>
    public IsolationPolicy WithScope(string scope)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(scope);
        if (scope.Contains('|'))
            throw new ArgumentException("an isolation scope cannot contain '|'", nameof(scope));
        return new IsolationPolicy(Fields, scope);
    }

    /// <summary>The fields in effect, each once, in a fixed order.</summary>
    public IReadOnlyList<IsolationField> Fields { get; }

    /// <summary>The key of a stream from <paramref name="client"/> to <paramref name="host"/> (an address or a host name) and port.</summary>
    public string StreamKey(IPAddress client, string host, int port) => Compose(client, host, port);

    /// <summary>The key of a lookup of <paramref name="name"/> by <paramref name="client"/>.</summary>
    public string DnsKey(IPAddress client, string name) => Compose(client, name, null);

    private string Compose(IPAddress client, string destination, int? port)
    {
        var key = new StringBuilder("iso");
        if (Scope is not null)
            key.Append("|s=").Append(Scope);
        foreach (var field in Fields)
        {
            switch (field)
            {
                case IsolationField.ClientAddress:
                    key.Append("|c=").Append(EndPoints.Unmap(client));
                    break;
                case IsolationField.DestinationAddress:
                    key.Append("|d=").Append(destination.ToLowerInvariant());
                    break;
                case IsolationField.DestinationPort when port is { } p:
                    key.Append("|p=").Append(p.ToString(CultureInfo.InvariantCulture));
                    break;
            }
        }
        return key.ToString();
    }

    /// <summary>The payload spelling: ["client_address", "destination_address"].</summary>
    public override string ToString() => "[" + string.Join(", ", Fields.Select(f => "\"" + PayloadName(f) + "\"")) + "]";

    public static string PayloadName(IsolationField field) => field switch
    {
        IsolationField.ClientAddress => "client_address",
        IsolationField.DestinationAddress => "destination_address",
        IsolationField.DestinationPort => "destination_port",
        _ => field.ToString(),
    };
}
