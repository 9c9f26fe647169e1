using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Akka.Event;
using JdMail.Actors.Settings;

namespace JdMail.Actors.Net;

/// <summary>Published on the EventStream when an endpoint is listening (the port is the real one when 0 was asked).</summary>
public sealed record ListenerBound(EndpointSettings Endpoint, IPEndPoint BoundTo);

/// <summary>Published on the EventStream when an endpoint could not be opened.</summary>
public sealed record ListenerFailed(EndpointSettings Endpoint, string Reason);

/// <summary>
/// One per endpoint. Accepts sockets and spawns one session actor per connection. Sessions are stopped on failure
/// and never restarted: a broken session must not take the listener or other clients with it.
/// </summary>
public sealed class ListenerActor : ReceiveActor
{
    private readonly EndpointSettings _endpoint;
    private readonly Func<Socket, Props> _sessionProps;
    private readonly int _maxConnections;
    private readonly byte[]? _busyReply;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private Socket? _listener;

    private sealed record Accepted(Socket Socket);
    private sealed record AcceptFailed(Exception Error);

    /// <param name="busyReply">Sent in clear to a connection refused for being one too many (none on implicit TLS).</param>
    public ListenerActor(EndpointSettings endpoint, Func<Socket, Props> sessionProps, int maxConnections, byte[]? busyReply = null)
    {
        _endpoint = endpoint;
        _sessionProps = sessionProps;
        _maxConnections = maxConnections;
        _busyReply = endpoint.Tls == TlsMode.Implicit ? null : busyReply;

        Receive<Accepted>(a =>
        {
            if (Context.GetChildren().Count() >= _maxConnections)
            {
                _log.Warning("{0}: connection from {1} refused, {2} sessions open", _endpoint.Name, a.Socket.RemoteEndPoint, _maxConnections);
                try
                {
                    // A fresh socket's send buffer is empty, so this short write does not block.
                    if (_busyReply is not null) a.Socket.Send(_busyReply, SocketFlags.None);
                    a.Socket.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException) { /* the client is gone already */ }
                a.Socket.Close();
            }
            else
            {
                Context.ActorOf(_sessionProps(a.Socket));
            }
            AcceptNext();
        });
        Receive<AcceptFailed>(f =>
        {
            // A reset during accept only affects that client; a disposed listener means we are stopping.
            if (f.Error is ObjectDisposedException) return;
            _log.Warning("{0}: accept failed: {1}", _endpoint.Name, f.Error.Message);
            AcceptNext();
        });
    }

    public static Props Props(EndpointSettings endpoint, Func<Socket, Props> sessionProps, int maxConnections, byte[]? busyReply = null) =>
        Akka.Actor.Props.Create(() => new ListenerActor(endpoint, sessionProps, maxConnections, busyReply));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        try
        {
            var socket = new Socket(_endpoint.Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            if (_endpoint.Address.AddressFamily == AddressFamily.InterNetworkV6 && _endpoint.Address.Equals(IPAddress.IPv6Any))
                socket.DualMode = true;
            // No ReuseAddress: on Linux .NET maps it to SO_REUSEPORT, which would let a second server bind the same
            // port and split the connections between two processes. (Rebinding after TIME_WAIT works without it.)
            socket.Bind(new IPEndPoint(_endpoint.Address, _endpoint.Port));
            socket.Listen(512);
            _listener = socket;
            var bound = (IPEndPoint)socket.LocalEndPoint!;
            _log.Info("listening: {0} {1} tls={2} on {3}", _endpoint.Name, _endpoint.Protocol.ToString().ToUpperInvariant(),
                _endpoint.Tls.ToString().ToLowerInvariant(), bound);
            Context.System.EventStream.Publish(new ListenerBound(_endpoint, bound));
            AcceptNext();
        }
        catch (SocketException e)
        {
            _log.Error("{0}: cannot listen on {1}:{2}: {3}", _endpoint.Name, _endpoint.Address, _endpoint.Port, e.Message);
            Context.System.EventStream.Publish(new ListenerFailed(_endpoint, e.Message));
            Context.Stop(Self);
        }
    }

    private void AcceptNext() =>
        _listener!.AcceptAsync().PipeTo(Self, success: s => new Accepted(s), failure: e => new AcceptFailed(e));

    protected override void PostStop() => _listener?.Dispose();
}
