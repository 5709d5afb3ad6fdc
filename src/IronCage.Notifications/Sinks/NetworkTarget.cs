using System.Net;
using System.Net.Sockets;

namespace IronCage.Notifications;

/// <summary>
/// Where a configured notification URL may send events: not to loopback, private, link-local or cloud-metadata targets
/// unless the sink opts in (<see cref="HttpNotificationOptions.AllowPrivateNetwork"/>), so that whoever can change the
/// configuration cannot turn deliveries into requests against the host's own network (server-side request forgery).
/// Checked at start on the URL, and again on every connection after DNS resolution.
/// </summary>
internal static class NetworkTarget
{
    private static readonly string[] MetadataHosts =
    [
        "metadata", "metadata.google.internal", "metadata.goog", "instance-data", "instance-data.ec2.internal",
    ];

    private static readonly string[] PrivateSuffixes = [".localhost", ".internal", ".local", ".home.arpa"];

    /// <summary>Why the URL's host is refused, or <see langword="null"/> when it is a public target.</summary>
    public static string? WhyRefused(Uri url)
    {
        var host = url.DnsSafeHost.TrimEnd('.').ToLowerInvariant();
        if (host == "localhost")
        {
            return "a loopback name";
        }

        if (Array.IndexOf(MetadataHosts, host) >= 0)
        {
            return "a cloud metadata host";
        }

        if (Array.Exists(PrivateSuffixes, suffix => host.EndsWith(suffix, StringComparison.Ordinal)))
        {
            return "a private-use name";
        }

        // IPAddress also reads the integer, octal and hex forms (2852039166, 0251.0376.0251.0376, 0xa9fea9fe).
        return IPAddress.TryParse(host, out var address) ? WhyRefused(address) : null;
    }

    /// <summary>Why an address is refused, or <see langword="null"/> when it is a public unicast address.</summary>
    public static string? WhyRefused(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return WhyRefusedV4(address.GetAddressBytes());
        }

        var bytes = address.GetAddressBytes();
        if (address.Equals(IPAddress.IPv6Loopback))
        {
            return "a loopback address";
        }

        if (address.Equals(IPAddress.IPv6Any))
        {
            return "the unspecified address";
        }

        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
        {
            return "a link-local address";
        }

        if ((bytes[0] & 0xFE) == 0xFC)
        {
            return "a private (unique-local fc00::/7) address";
        }

        if (address.IsIPv6Multicast)
        {
            return "a multicast address";
        }

        // NAT64 (64:ff9b::/96) carries an IPv4 address in its last four bytes.
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xFF && bytes[3] == 0x9B && bytes.AsSpan(4, 8).IndexOfAnyExcept((byte)0) < 0)
        {
            return WhyRefusedV4(bytes.AsSpan(12));
        }

        return null;
    }

    /// <summary>
    /// Connects a delivery: resolves the host, drops every address <see cref="WhyRefused(IPAddress)"/> refuses (unless
    /// <paramref name="allowPrivateNetwork"/>), and connects to the first that answers. A connection to a proxy (the
    /// host's own egress) is not checked: its target was checked at start.
    /// </summary>
    /// <exception cref="HttpRequestException">The host resolves only to refused addresses.</exception>
    public static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivateNetwork, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var target = context.InitialRequestMessage.RequestUri;
        var isProxy = target is not null && !string.Equals(target.IdnHost.Trim('[', ']'), endpoint.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase);
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        if (!allowPrivateNetwork && !isProxy)
        {
            addresses = FilterAllowed(endpoint.Host, addresses);
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The addresses a delivery may connect to.</summary>
    /// <exception cref="HttpRequestException">None is left.</exception>
    public static IPAddress[] FilterAllowed(string host, IPAddress[] addresses)
    {
        var allowed = Array.FindAll(addresses, a => WhyRefused(a) is null);
        if (allowed.Length == 0)
        {
            var reason = addresses.Length == 0 ? "no address" : WhyRefused(addresses[0]);
            throw new HttpRequestException($"The notification receiver {host} resolves only to internal addresses ({reason}); IronCage does not deliver there. If the receiver really is on a private network, set AllowPrivateNetwork = true on that sink's options.");
        }

        return allowed;
    }

    private static string? WhyRefusedV4(ReadOnlySpan<byte> b) => b switch
    {
        [0, ..] => "the unspecified address (0.0.0.0/8)",
        [127, ..] => "a loopback address",
        [10, ..] => "a private (10.0.0.0/8) address",
        [172, >= 16 and <= 31, ..] => "a private (172.16.0.0/12) address",
        [192, 168, ..] => "a private (192.168.0.0/16) address",
        [169, 254, ..] => "a link-local address (169.254.0.0/16, where cloud metadata services answer)",
        [100, >= 64 and <= 127, ..] => "a shared (100.64.0.0/10) address",
        [168, 63, 129, 16] => "the Azure platform endpoint",
        [>= 224, ..] => "a multicast or reserved address",
        _ => null,
    };
}
