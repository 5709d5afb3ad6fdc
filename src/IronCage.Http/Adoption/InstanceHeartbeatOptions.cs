using System.Globalization;

namespace IronCage.Http;

/// <summary>How this host instance reports the key versions it serves (see <c>AddInstanceHeartbeat</c>).</summary>
public sealed class InstanceHeartbeatOptions
{
    /// <summary>Gets or sets this instance's id in the heartbeat store; unique per running process.</summary>
    /// <value>The default value is the machine name, the process id and a random suffix, for example <c>web-1/4711/9f2c</c>.</value>
    public string InstanceId { get; set; } = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..4]}");

    /// <summary>Gets or sets how often the instance sends a heartbeat (and writes <c>KeyVersion.LastUsedAt</c>). Keep it well below the rotating side's <c>RotationOptions.InstanceTimeout</c>.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);
}
