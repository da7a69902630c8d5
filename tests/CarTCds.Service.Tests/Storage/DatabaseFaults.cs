using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace CarTCds.Service.Tests.Storage;

/// <summary>A database the tests can stop and freeze with the database's own mechanisms: SQLite
/// frozen by another connection holding the write lock (<c>BEGIN IMMEDIATE</c>), stopped by its file
/// becoming unopenable (a directory in its place); PostgreSQL frozen by another connection holding
/// <c>LOCK TABLE … IN ACCESS EXCLUSIVE MODE</c> on the service's tables in an open transaction,
/// stopped by closing the TCP path to it (<see cref="TcpPassage"/>: connections reset, new ones
/// refused, as when the server is down).</summary>
public abstract class FaultyDatabase : IAsyncDisposable
{
    /// <summary>The service's settings for this database (through the passage, for PostgreSQL).</summary>
    public abstract IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>Holds the database's write locks until disposed.</summary>
    public abstract Task<IAsyncDisposable> FreezeAsync();

    /// <summary>Makes the database unreachable until disposed.</summary>
    public abstract Task<IAsyncDisposable> StopAsync();

    public abstract ValueTask DisposeAsync();

    public static async Task<FaultyDatabase> CreateAsync(string provider) =>
        provider == "Sqlite" ? new FaultySqlite() : await FaultyPostgres.CreateAsync();

    private sealed class FaultySqlite : FaultyDatabase
    {
        private readonly TempSqliteFile _file = new();

        public override IReadOnlyDictionary<string, string?> Settings => _file.Settings;

        public override async Task<IAsyncDisposable> FreezeAsync()
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _file.Path, Pooling = false }.ToString());
            await connection.OpenAsync();
            var transaction = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock, held
            return new Undo(async () =>
            {
                transaction.Rollback();
                await connection.DisposeAsync();
            });
        }

        public override Task<IAsyncDisposable> StopAsync()
        {
            SqliteConnection.ClearAllPools();
            var away = _file.Path + ".away";
            File.Move(_file.Path, away);
            Directory.CreateDirectory(_file.Path);
            return Task.FromResult<IAsyncDisposable>(new Undo(() =>
            {
                Directory.Delete(_file.Path);
                File.Move(away, _file.Path);
                return Task.CompletedTask;
            }));
        }

        public override ValueTask DisposeAsync() => _file.DisposeAsync();
    }

    private sealed class FaultyPostgres(TempPostgresSchema schema, TcpPassage passage) : FaultyDatabase
    {
        public static async Task<FaultyDatabase> CreateAsync()
        {
            var schema = await TempPostgresSchema.CreateAsync();
            var target = new NpgsqlConnectionStringBuilder(schema.ConnectionString);
            return new FaultyPostgres(schema, new TcpPassage(target.Host!, target.Port));
        }

        public override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(schema.Settings)
        {
            ["CarTCds:Storage:PostgreSql:ConnectionString"] = new NpgsqlConnectionStringBuilder(schema.ConnectionString) { Host = "127.0.0.1", Port = passage.Port }.ConnectionString,
        };

        public override async Task<IAsyncDisposable> FreezeAsync()
        {
            var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(schema.ConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            var transaction = await connection.BeginTransactionAsync();
            await using (var lockTables = new NpgsqlCommand(
                $"LOCK TABLE {schema.Schema}.used_jti, {schema.Schema}.hook_audit, {schema.Schema}.issued_cards, {schema.Schema}.feedback IN ACCESS EXCLUSIVE MODE",
                connection, transaction))
            {
                await lockTables.ExecuteNonQueryAsync();
            }
            return new Undo(async () =>
            {
                await transaction.RollbackAsync();
                await connection.DisposeAsync();
            });
        }

        public override Task<IAsyncDisposable> StopAsync()
        {
            passage.Close();
            return Task.FromResult<IAsyncDisposable>(new Undo(() =>
            {
                passage.Open();
                return Task.CompletedTask;
            }));
        }

        public override async ValueTask DisposeAsync()
        {
            passage.Dispose();
            await schema.DisposeAsync();
        }
    }

    private sealed class Undo(Func<Task> undo) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await undo();
    }
}

/// <summary>A TCP path from a local port to a server: <see cref="Close"/> resets every connection
/// and refuses new ones (the server is down, to its clients); <see cref="Open"/> lets them through again.</summary>
public sealed class TcpPassage : IDisposable
{
    private readonly string _host;
    private readonly int _targetPort;
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _connections = [];
    private TcpListener _listener;

    public TcpPassage(string host, int targetPort)
    {
        _host = host;
        _targetPort = targetPort;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(_listener);
    }

    public int Port { get; }

    public void Close()
    {
        lock (_lock)
        {
            _listener.Stop();
            foreach (var c in _connections)
            {
                // RST, as a dead server's kernel would (a connection its other end closed has no socket left).
                if (c.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
                c.Dispose();
            }
            _connections.Clear();
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Start();
            _ = AcceptAsync(_listener);
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_host, _targetPort);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }
            lock (_lock)
            {
                _connections.Add(inbound);
                _connections.Add(outbound);
            }
            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // closed by Close() or by either end
        }
        finally
        {
            to.Dispose();
        }
    }

    public void Dispose() => Close();
}
