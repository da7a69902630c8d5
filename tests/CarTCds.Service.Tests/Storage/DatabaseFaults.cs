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

    /// <summary>Before the service starts: the database answers a new connection (PostgreSQL: a
    /// passage that passes nothing for <paramref name="delay"/>) or a start-up write (SQLite: another
    /// connection holding the write lock that long) only after <paramref name="delay"/>;
    /// <see cref="Timeout.InfiniteTimeSpan"/>: not until disposed.</summary>
    public abstract Task<IAsyncDisposable> AnswerStartUpAfterAsync(TimeSpan delay);

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

        public override async Task<IAsyncDisposable> AnswerStartUpAfterAsync(TimeSpan delay)
        {
            var frozen = await FreezeAsync();
            if (delay == Timeout.InfiniteTimeSpan) return frozen;
            var released = Task.Run(async () =>
            {
                await Task.Delay(delay);
                await frozen.DisposeAsync();
            });
            return new Undo(() => released);
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

        public override Task<IAsyncDisposable> AnswerStartUpAfterAsync(TimeSpan delay)
        {
            passage.AnswerNewConnectionsAfter(delay);
            return Task.FromResult<IAsyncDisposable>(new Undo(() =>
            {
                passage.AnswerNewConnectionsAfter(TimeSpan.Zero);
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
/// and refuses new ones (the server is down, to its clients); <see cref="Open"/> lets them through again;
/// <see cref="AnswerNewConnectionsAfter"/> accepts new connections at once but passes nothing either way
/// for a while (a loaded or frozen server: its clients' connect timeouts run), or never.</summary>
public sealed class TcpPassage : IDisposable
{
    private readonly string _host;
    private readonly int _targetPort;
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _connections = [];
    private TcpListener _listener;
    private CancellationTokenSource _closed = new();
    private TimeSpan _answerAfter = TimeSpan.Zero;

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

    /// <summary>Connections accepted from now on reach the server only after <paramref name="delay"/>
    /// (<see cref="Timeout.InfiniteTimeSpan"/>: never, until <see cref="Close"/>); those already through are untouched.</summary>
    public void AnswerNewConnectionsAfter(TimeSpan delay)
    {
        lock (_lock) _answerAfter = delay;
    }

    public void Close()
    {
        lock (_lock)
        {
            _listener.Stop();
            _closed.Cancel();
            foreach (var c in _connections)
            {
                // RST, as a dead server's kernel would (a connection its other end closed has no socket left).
                // A pump that saw its other end close disposes its side concurrently: that socket is gone already.
                try
                {
                    if (c.Client is { } socket) socket.LingerState = new LingerOption(true, 0);
                }
                catch (ObjectDisposedException)
                {
                }
                c.Dispose();
            }
            _connections.Clear();
        }
    }

    public void Open()
    {
        lock (_lock)
        {
            _closed = new CancellationTokenSource();
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
            TimeSpan delay;
            CancellationToken closed;
            lock (_lock)
            {
                _connections.Add(inbound);
                delay = _answerAfter;
                closed = _closed.Token;
            }
            _ = ConnectAsync(inbound, delay, closed);
        }
    }

    private async Task ConnectAsync(TcpClient inbound, TimeSpan delay, CancellationToken closed)
    {
        var outbound = new TcpClient();
        try
        {
            if (delay != TimeSpan.Zero) await Task.Delay(delay, closed);
            await outbound.ConnectAsync(_host, _targetPort, closed);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            inbound.Dispose();
            outbound.Dispose();
            return;
        }
        lock (_lock)
        {
            if (closed.IsCancellationRequested)
            {
                inbound.Dispose();
                outbound.Dispose();
                return;
            }
            _connections.Add(outbound);
        }
        _ = PumpAsync(inbound, outbound);
        _ = PumpAsync(outbound, inbound);
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
