using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Makaretu.Dns;
using Microsoft.Extensions.Logging;

namespace Burrow.Core.Dns;

/// <summary>
/// Turns one DNS query (RFC 1035 section 4) into one answer: A and AAAA through the automap or the
/// upstream resolver, PTR for virtual addresses, everything else refused, never forwarded. Knows
/// nothing of sockets; <see cref="DnsListener"/> feeds it. Extended DNS Errors are RFC 8914.
/// </summary>
internal sealed class DnsQueryHandler
{
    private const int MaxUdpPayload = 1232; // the DNS flag day 2020 size: no IP fragmentation
    private const int ClassicUdpPayload = 512;
    private const EdnsOptionType ExtendedDnsError = (EdnsOptionType)15;

    private static readonly IPAddress ProbeV4 = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress ProbeV6 = IPAddress.Parse("2001:db8::1");

    private readonly DnsListenerOptions _options;
    private readonly VirtualAddressMap _map;
    private readonly IDnsResolver _resolver;
    private readonly Func<IPEndPoint, string, string> _isolationKey;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _lookups;
    private readonly ConcurrentDictionary<string, DnsProbe> _probes = new(StringComparer.Ordinal);

    public DnsQueryHandler(
        DnsListenerOptions options,
        VirtualAddressMap map,
        IDnsResolver resolver,
        Func<IPEndPoint, string, string> isolationKey,
        ILogger logger,
        TimeProvider time)
    {
        _options = options;
        _map = map;
        _resolver = resolver;
        _isolationKey = isolationKey;
        _logger = logger;
        _time = time;
        _lookups = new SemaphoreSlim(options.MaxConcurrentLookups, options.MaxConcurrentLookups);
    }

    public int LookupsInProgress => _options.MaxConcurrentLookups - _lookups.CurrentCount;

    public DnsProbe RegisterProbe(string name, IPAddress? v4, IPAddress? v6)
    {
        if (!DnsName.TryNormalize(name, out var normalized, out var problem))
            throw new ArgumentException($"probe name '{name}' is not a valid host name: {problem}", nameof(name));
        if (v4 is not null && v4.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"the probe's IPv4 answer must be an IPv4 address; got {v4}", nameof(v4));
        if (v6 is not null && v6.AddressFamily != AddressFamily.InterNetworkV6)
            throw new ArgumentException($"the probe's IPv6 answer must be an IPv6 address; got {v6}", nameof(v6));
        var probe = new DnsProbe(normalized, v4 ?? ProbeV4, v6 ?? ProbeV6, p => _probes.TryRemove(new KeyValuePair<string, DnsProbe>(p.Name, p)));
        if (!_probes.TryAdd(normalized, probe))
            throw new InvalidOperationException($"probe name '{normalized}' is already registered");
        return probe;
    }

    /// <summary>The answer to send (null: send nothing) and what happened.</summary>
    public async ValueTask<(byte[]? Response, DnsQueryRecord Record)> HandleAsync(
        ReadOnlyMemory<byte> request, IPEndPoint client, DnsTransport transport, CancellationToken cancellationToken)
    {
        var query = new Message();
        try
        {
            query.Read(request.ToArray());
        }
        catch (Exception)
        {
            // The codec throws many kinds on garbage (end of data, bad pointers, bad lengths); all mean the same here.
            return FormatError(request.Span, client, transport);
        }

        if (query.QR)
            return (null, Record(client, transport, null, null, DnsQueryOutcome.Dropped, detail: "a response, not a query"));

        var edns = query.AdditionalRecords.OfType<OPTRecord>().FirstOrDefault();
        var limit = transport == DnsTransport.Tcp ? ushort.MaxValue
            : edns is null ? ClassicUdpPayload : Math.Clamp((int)edns.RequestorPayloadSize, ClassicUdpPayload, MaxUdpPayload);
        var response = new Message
        {
            Id = query.Id,
            QR = true,
            Opcode = query.Opcode,
            RD = query.RD,
            RA = true,
            CD = query.CD,
        };
        if (edns is not null)
            response.AdditionalRecords.Add(new OPTRecord { RequestorPayloadSize = MaxUdpPayload });

        if (query.Opcode != MessageOperation.Query)
            return Finish(response, limit, client, transport, null, null, DnsQueryOutcome.NotImplemented, MessageStatus.NotImplemented, EdeNotSupported, "only standard queries are answered");
        if (query.Questions.Count != 1)
            return Finish(response, limit, client, transport, null, null, DnsQueryOutcome.Malformed, MessageStatus.FormatError, null, $"a query must have exactly one question; it had {query.Questions.Count}");

        var question = query.Questions[0];
        if (!CanRepeat(question.Name))
            return Finish(response, limit, client, transport, null, null, DnsQueryOutcome.Malformed, MessageStatus.FormatError, EdeOther,
                "the question name has a label longer than 63 bytes once decoded; accepted: host names of ASCII labels");
        response.Questions.Add(question);
        var type = TypeText(question.Type);
        if (!DnsName.TryNormalizeLabels(question.Name.Labels, out var name, out var problem))
            return Finish(response, limit, client, transport, null, type, DnsQueryOutcome.Refused, MessageStatus.Refused, EdeOther, $"not a usable host name: {problem}");
        if (question.Class != DnsClass.IN)
            return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.NotImplemented, MessageStatus.NotImplemented, EdeNotSupported, "only class IN is answered");

        if (_probes.TryGetValue(name, out var probe))
            return AnswerProbe(probe, response, question, limit, client, transport, name, type);

        switch (question.Type)
        {
            case DnsType.A or DnsType.AAAA:
                var family = question.Type == DnsType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
                if (_map.ShouldAutomap(name))
                    return AnswerAutomapped(response, question, family, limit, client, transport, name, type);
                return await LookUpAsync(response, question, family, limit, client, transport, name, type, cancellationToken).ConfigureAwait(false);

            case DnsType.PTR:
                return AnswerReverse(response, question, limit, client, transport, name, type);

            default:
                return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.NotImplemented, MessageStatus.NotImplemented, EdeNotSupported,
                    "only A, AAAA and PTR of virtual addresses are answered; other types are never sent through Tor or anywhere else");
        }
    }

    /// <summary>Whether the answer can repeat the question's name. The codec decodes label bytes as UTF-8, so a label
    /// of 63 bytes that are not UTF-8 comes back as replacement characters that re-encode longer than the 63-byte
    /// limit, and writing the answer would throw (found by fuzzing, bench/Fuzz target "dns").</summary>
    private static bool CanRepeat(DomainName name)
    {
        var total = 1;
        foreach (var label in name.Labels)
        {
            var length = Encoding.UTF8.GetByteCount(label);
            if (length > 63)
                return false;
            total += length + 1;
        }
        return total <= 255;
    }

    private const ushort EdeOther = 0;
    private const ushort EdeNotReady = 14;
    private const ushort EdeBlocked = 15;
    private const ushort EdeProhibited = 18;
    private const ushort EdeNotSupported = 21;
    private const ushort EdeNoReachableAuthority = 22;

    private (byte[]? Response, DnsQueryRecord Record) AnswerProbe(DnsProbe probe, Message response, Question question, int limit, IPEndPoint client, DnsTransport transport, string name, string type)
    {
        List<IPAddress> addresses = question.Type switch
        {
            DnsType.A => [probe.AddressV4],
            DnsType.AAAA => [probe.AddressV6],
            _ => [],
        };
        foreach (var address in addresses)
            response.Answers.Add(WithTtl(AddressRecord.Create(question.Name, address), TimeSpan.Zero)); // never cached
        var result = Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Probe, MessageStatus.NoError, null, null, addresses);
        probe.Observed(result.Record);
        return result;
    }

    private (byte[]? Response, DnsQueryRecord Record) AnswerAutomapped(Message response, Question question, AddressFamily family, int limit, IPEndPoint client, DnsTransport transport, string name, string type)
    {
        // A malformed .onion name would only fail later, at connect time: say so now, and map nothing.
        if (_options.OnionServicesSupported && DnsName.IsOnion(name) && !Burrow.Tor.Client.TorClient.IsValidOnionAddress(name, out var onionError))
        {
            AddEde(response, EdeBlocked, onionError);
            return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.NotFound, MessageStatus.NameError, null, onionError);
        }
        var address = _map.GetOrAssign(name, family);
        response.Answers.Add(WithTtl(AddressRecord.Create(question.Name, address), _options.AutomapTtl));
        string? note = null;
        if (!_options.OnionServicesSupported && DnsName.IsOnion(name))
        {
            note = "onion services are not supported yet: a connection to this address will be refused";
            AddEde(response, EdeOther, note);
        }

        return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Automapped, MessageStatus.NoError, null, note, [address]);
    }

    private (byte[]? Response, DnsQueryRecord Record) AnswerReverse(Message response, Question question, int limit, IPEndPoint client, DnsTransport transport, string name, string type)
    {
        if (DnsName.TryParseReverseName(name, out var address) && _map.IsVirtualAddress(address))
        {
            if (!_map.TryGetHostname(address, out var hostname))
                return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.NotFound, MessageStatus.NameError, null, "a virtual address with no mapping (expired or never handed out)");
            response.Answers.Add(new PTRRecord { Name = question.Name, DomainName = new DomainName(hostname), TTL = _options.AutomapTtl });
            return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Reverse, MessageStatus.NoError, null, null, hostname: hostname);
        }

        return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Refused, MessageStatus.Refused, EdeProhibited,
            "reverse lookups are answered only for Burrow's virtual addresses; others are never forwarded");
    }

    private async ValueTask<(byte[]? Response, DnsQueryRecord Record)> LookUpAsync(
        Message response, Question question, AddressFamily family, int limit, IPEndPoint client, DnsTransport transport, string name, string type, CancellationToken cancellationToken)
    {
        if (!_lookups.Wait(0, CancellationToken.None))
            return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Overloaded, MessageStatus.ServerFailure, EdeOther,
                $"too many lookups in progress ({_options.MaxConcurrentLookups}); try again");

        DnsLookup lookup;
        try
        {
            using var timeout = new CancellationTokenSource(_options.LookupTimeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                var kind = family == AddressFamily.InterNetwork ? DnsQueryKind.A : DnsQueryKind.Aaaa;
                lookup = await _resolver.ResolveAsync(name, kind, _isolationKey(client, name), linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lookup = DnsLookup.Failed(DnsLookupFailure.Timeout);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                DnsLog.ResolverThrew(_logger, ex);
                lookup = DnsLookup.Failed(DnsLookupFailure.UpstreamDown, "the upstream lookup failed");
            }
        }
        finally
        {
            _lookups.Release();
        }

        switch (lookup.Failure)
        {
            case DnsLookupFailure.NotFound:
                return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.NotFound, MessageStatus.NameError, null, lookup.Detail);
            case DnsLookupFailure.Refused:
                return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Refused, MessageStatus.Refused, EdeOther, lookup.Detail ?? "the upstream refused the lookup");
            case DnsLookupFailure.Timeout:
                return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Failed, MessageStatus.ServerFailure, EdeNoReachableAuthority, lookup.Detail ?? "no answer through Tor in time");
            case DnsLookupFailure.UpstreamDown:
                return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Failed, MessageStatus.ServerFailure, EdeNotReady, lookup.Detail ?? "Tor is not ready to resolve names");
        }

        var addresses = new List<IPAddress>();
        var withheld = 0;
        foreach (var address in lookup.Addresses)
        {
            var plain = address.IsIPv4MappedToIPv6 && family == AddressFamily.InterNetwork ? address.MapToIPv4() : address;
            if (plain.AddressFamily != family)
                continue; // an upstream that answers the other family for this question: not what was asked
            if (_options.RejectInternalAnswers && InternalAddress.IsInternal(plain))
            {
                withheld++;
                continue;
            }

            if (addresses.Count < _options.MaxAddressesPerAnswer && !addresses.Contains(plain))
                addresses.Add(plain);
        }

        if (addresses.Count == 0 && withheld > 0)
            return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.PrivateAnswerRefused, MessageStatus.Refused, EdeBlocked,
                "the answer was an internal address; refused so that DNS cannot reach this host or its LAN");

        var ttl = lookup.Ttl > _options.MaxAnswerTtl ? _options.MaxAnswerTtl : lookup.Ttl;
        foreach (var address in addresses)
            response.Answers.Add(WithTtl(AddressRecord.Create(question.Name, address), ttl));
        return Finish(response, limit, client, transport, name, type, DnsQueryOutcome.Answered, MessageStatus.NoError, null,
            withheld > 0 ? $"{withheld} internal address(es) withheld" : null, addresses);
    }

    private (byte[]? Response, DnsQueryRecord Record) FormatError(ReadOnlySpan<byte> request, IPEndPoint client, DnsTransport transport)
    {
        // A header (RFC 1035 section 4.1.1) is 12 bytes; without one there is no ID to answer to.
        if (request.Length < Message.MinLength)
            return (null, Record(client, transport, null, null, DnsQueryOutcome.Dropped, detail: $"{request.Length} bytes, shorter than a DNS header"));
        var flags = request[2];
        if ((flags & 0x80) != 0)
            return (null, Record(client, transport, null, null, DnsQueryOutcome.Dropped, detail: "an unreadable response, not a query"));
        var response = new Message
        {
            Id = BinaryPrimitives.ReadUInt16BigEndian(request),
            QR = true,
            Opcode = (MessageOperation)((flags >> 3) & 0x0F),
            RD = (flags & 0x01) != 0,
            RA = true,
            Status = MessageStatus.FormatError,
        };
        return (response.ToByteArray(), Record(client, transport, null, null, DnsQueryOutcome.Malformed, detail: "the message could not be parsed"));
    }

    private (byte[]? Response, DnsQueryRecord Record) Finish(
        Message response, int limit, IPEndPoint client, DnsTransport transport, string? name, string? type,
        DnsQueryOutcome outcome, MessageStatus status, ushort? ede, string? detail,
        IReadOnlyList<IPAddress>? addresses = null, string? hostname = null)
    {
        response.Status = status;
        if (ede is { } code && detail is not null)
            AddEde(response, code, detail);
        var bytes = response.ToByteArray();
        if (bytes.Length > limit)
        {
            // Too big for this UDP client: an empty, truncated answer tells it to ask again over TCP.
            response.Answers.Clear();
            response.AdditionalRecords.RemoveAll(r => r is not OPTRecord);
            response.TC = true;
            bytes = response.ToByteArray();
        }

        return (bytes, Record(client, transport, name, type, outcome, addresses, hostname, detail));
    }

    private static void AddEde(Message response, ushort code, string text)
    {
        if (response.AdditionalRecords.OfType<OPTRecord>().FirstOrDefault() is not { } opt)
            return; // RFC 8914 section 3: only to clients that sent EDNS
        var textBytes = Encoding.UTF8.GetBytes(text);
        var data = new byte[2 + textBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(data, code);
        textBytes.CopyTo(data, 2);
        opt.Options.Add(new UnknownEdnsOption { Type = ExtendedDnsError, Data = data });
    }

    private static ResourceRecord WithTtl(ResourceRecord record, TimeSpan ttl)
    {
        record.TTL = TimeSpan.FromSeconds(Math.Floor(ttl.TotalSeconds));
        return record;
    }

    private static string TypeText(DnsType type) => Enum.IsDefined(type) ? type.ToString() : ((int)type).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private DnsQueryRecord Record(
        IPEndPoint client, DnsTransport transport, string? name, string? type, DnsQueryOutcome outcome,
        IReadOnlyList<IPAddress>? addresses = null, string? hostname = null, string? detail = null) =>
        new(_time.GetUtcNow(), client, transport, name, type, outcome, addresses ?? [], hostname, detail);
}
