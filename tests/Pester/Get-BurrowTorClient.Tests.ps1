BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
    $script:job = Start-TestTorClientNetwork -Name client
    $script:socks = Start-TestBurrowNetwork -Name socksonly
}
AfterAll { Remove-TestBurrowNetworks }

Describe 'Get-BurrowTorClient' {
    It 'shows a bootstrapped client: live consensus, relays, guards, circuits, clock skew' {
        $tn = Get-TestNetwork
        $s = Get-BurrowTorClient -Name client
        $s | Should -HaveCount 1
        $s.Network | Should -Be 'client'
        $s.IsReady | Should -BeTrue
        $s.Bootstrap.Percent | Should -Be 100
        $s.ConsensusIsLive | Should -BeTrue
        $s.ConsensusValidUntil | Should -BeGreaterThan $s.ConsensusValidAfter
        $s.Relays | Should -Be @($tn.relays).Count
        @($s.SampledGuards).Count | Should -BeGreaterThan 0
        @($s.PrimaryGuards).Count | Should -BeGreaterThan 0
        ($s.CircuitsBuilt) | Should -BeGreaterThan 0
        $s.OpenChannels | Should -BeGreaterThan 0
        # Every relay runs on this host's clock: the skew the relays' NETINFO cells show is small.
        $s.ClockSkew | Should -Not -BeNullOrEmpty
        [math]::Abs($s.ClockSkew.TotalSeconds) | Should -BeLessThan 120
        # Warnings may list recommended protocols this client lacks; a required one missing is a Problem.
        $s.Problem | Should -BeNullOrEmpty
        $s.ProtocolWarnings | Where-Object { $_ -like '*requires*' } | Should -BeNullOrEmpty
    }
    It 'skips a SOCKS network unless it is named, then says why' {
        (Get-BurrowTorClient).Network | Should -Be 'client'
        Get-BurrowTorClient -Name socksonly -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'TorClientNotInProcess,*'
        "$($e[0])" | Should -BeLike '*socks5*not the in-process Tor client*'
    }
    It 'takes names from piped networks and jobs' {
        (Get-BurrowTorNetwork -Name client | Get-BurrowTorClient).Network | Should -Be 'client'
        ($job | Get-BurrowTorClient).Network | Should -Be 'client'
    }
    It 'renders the list view' {
        $text = Get-BurrowTorClient -Name client | Out-String
        $text | Should -Match 'Bootstrap\s+: 100% '
        $text | Should -Match 'Consensus\s+: valid .* \(live\)'
        $text | Should -Match 'Circuits\s+: \d+ open'
        $text | Should -Not -Match 'Burrow\.Tor\.'
    }
    It 'reports the bootstrap as an event: an Information record of the job' {
        $events = @($job.Information | ForEach-Object MessageData | Where-Object Kind -eq 'BootstrapDone')
        $events | Should -HaveCount 1
        $events[0].Network | Should -Be 'client'
        $events[0].Message | Should -BeLike 'ready: listening on 127.0.0.1:*'
        @($job.Information | ForEach-Object MessageData | Where-Object Kind -eq 'CircuitBuilt').Count | Should -BeGreaterThan 0
    }
}
