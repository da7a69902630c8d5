using System.Security.Cryptography;
using System.Text;

namespace CarTCds.Service.Audit;

/// <summary>Turns a patient id into what the audit trail keeps: HMAC-SHA256 keyed with
/// <c>CarTCds:Audit:PatientIdSalt</c>, as 64 lowercase hex digits. The same id and key give the
/// same hash, so an auditor holding the key can find one patient's calls; without the key the
/// hashes cannot be reversed by trying the (small) space of record numbers.</summary>
/// <remarks>Without a configured salt the key is 32 random bytes drawn at start-up: hashes then do
/// not correlate across restarts or replicas, and the start-up log says so.
/// <see cref="KeyId"/> names the key (an HMAC of a fixed label, not the key) so rows hashed with
/// different keys can be told apart.</remarks>
public sealed class PatientIdHasher
{
    /// <summary>Configuration key of the salt (HMAC key).</summary>
    public const string SaltKey = "CarTCds:Audit:PatientIdSalt";

    /// <summary>Shortest salt accepted, in characters: a short key could be guessed along with the ids.</summary>
    public const int MinimumSaltLength = 16;

    private readonly byte[] _key;

    /// <param name="salt">The configured salt, or null/empty for a random per-process key.</param>
    /// <exception cref="InvalidOperationException">The salt is shorter than <see cref="MinimumSaltLength"/>.</exception>
    public PatientIdHasher(string? salt)
    {
        if (string.IsNullOrEmpty(salt))
        {
            _key = RandomNumberGenerator.GetBytes(32);
            IsEphemeral = true;
        }
        else
        {
            if (salt.Length < MinimumSaltLength)
            {
                throw new InvalidOperationException($"{SaltKey} is shorter than {MinimumSaltLength} characters; use a long random secret " +
                    "(e.g. 32 bytes from a secret store), or leave it unset for a random per-process salt.");
            }
            _key = Encoding.UTF8.GetBytes(salt);
        }
        KeyId = Convert.ToHexStringLower(HMACSHA256.HashData(_key, "cartcds:audit:key-id"u8))[..16];
    }

    /// <summary>True when no salt was configured and the key is random to this process.</summary>
    public bool IsEphemeral { get; }

    /// <summary>16 hex digits naming the key; stored beside each hash.</summary>
    public string KeyId { get; }

    /// <summary>HMAC-SHA256(key, UTF-8 patient id) in lowercase hex.</summary>
    public string Hash(string patientId) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(patientId)));
}
