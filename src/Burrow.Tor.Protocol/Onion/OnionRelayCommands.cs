// Relay commands of the onion-service protocol (rend-spec-v3 0.5).
using Burrow.Tor.Cells;

namespace Burrow.Tor.Protocol.Onion;

internal static class OnionRelayCommands
{
    public const RelayCommand EstablishRendezvous = (RelayCommand)33;
    public const RelayCommand Introduce1 = (RelayCommand)34;
    public const RelayCommand Rendezvous2 = (RelayCommand)37;
    public const RelayCommand RendezvousEstablished = (RelayCommand)39;
    public const RelayCommand IntroduceAck = (RelayCommand)40;
}
