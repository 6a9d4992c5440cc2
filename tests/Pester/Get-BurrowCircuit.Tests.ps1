BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
    $script:tn = Get-TestNetwork
    $script:job = Start-TestTorClientNetwork -Name circ
    $script:table = New-HttpRedirect -Name circ
    $script:events = [System.Collections.Concurrent.ConcurrentQueue[object]]::new()
    $script:sub = Register-ObjectEvent -InputObject $job -EventName NetworkEvent -MessageData $events -Action { $Event.MessageData.Enqueue($EventArgs) }
    $script:idle = Open-IdleHttpConnection
    Wait-Until { Get-BurrowFlow -Name circ -State Open } -TimeoutSec 60 -Because 'the idle connection is an open flow'
}
AfterAll {
    if ($idle) { $idle.Dispose() }
    if ($sub) { Unregister-Event -SourceIdentifier $sub.Name -ErrorAction SilentlyContinue }
    $table | Remove-NftTable
    Remove-TestBurrowNetworks
}

Describe 'Get-BurrowCircuit' {
    It 'lists exit circuits with hops, purpose, age and usability' {
        $circuits = @(Get-BurrowCircuit -Name circ)
        $circuits.Count | Should -BeGreaterThan 0
        $c = $circuits[0]
        $c.Network | Should -Be 'circ'
        $c.Purpose | Should -Be 'exit'
        $c.Hops | Should -HaveCount 3
        $c.Hops[0].Fingerprint | Should -Match '^[0-9A-F]{40}$'
        $c.Hops[0].Address.Port | Should -BeGreaterThan 0
        ($tn.relays.nickname) | Should -Contain $c.Exit.Nickname
        $c.Path | Should -Match '^\S+ \([0-9A-F]{8}\.\.\) -> \S+ \([0-9A-F]{8}\.\.\) -> \S+ \([0-9A-F]{8}\.\.\)$'
        $c.Age | Should -BeGreaterThan ([TimeSpan]::Zero)
    }
    It 'links a flow to its circuit: Get-BurrowFlow | Get-BurrowCircuit' {
        $flow = Get-BurrowFlow -Name circ -State Open
        $flow.CircuitId | Should -BeGreaterThan 0
        $c = $flow | Get-BurrowCircuit
        $c.Id | Should -Be $flow.CircuitId
        $c.Streams | Should -BeGreaterOrEqual 1
        $c.IsDirty | Should -BeTrue
        $c.IsUsable | Should -BeTrue
        # The network's isolation policy (default: client and destination address) names the client.
        $c.IsolationKey | Should -BeLike "*c=$($flow.Source.Address)*"
        $flow.Circuit | Should -Be "$($c.Exit)"
        (Get-BurrowCircuit -Name circ -Id $c.Id).Id | Should -Be $c.Id
    }
    It 'counts the bytes of the circuit''s streams' {
        $before = (Get-BurrowFlow -Name circ -State Open | Get-BurrowCircuit)
        $null = & curl -sS --max-time 60 -o /dev/null $tn.http.smallUrl
        $LASTEXITCODE | Should -Be 0
        Wait-Until { @(Get-BurrowFlow -Name circ -State Closed).Count -ge 1 } -Because 'the fetch closed'
        $fetch = Get-BurrowFlow -Name circ -State Closed | Select-Object -First 1
        # Same client address, same isolation key: the fetch shares the idle flow's circuit.
        $fetch.CircuitId | Should -Be $before.Id
        $after = Get-BurrowCircuit -Name circ -Id $before.Id
        $after.BytesReceived | Should -BeGreaterOrEqual ($before.BytesReceived + $fetch.BytesDown)
        $after.BytesSent | Should -BeGreaterOrEqual ($before.BytesSent + $fetch.BytesUp)
    }
    It 'says why a flow without a circuit has none' {
        $none = [Burrow.Core.Flows.FlowInfo]::new(9999, 'circ', [System.Net.IPEndPoint]::Parse('127.0.0.1:1'), $null, 'SO_ORIGINAL_DST', 'Refused', 0, 0, [DateTimeOffset]::Now, [DateTimeOffset]::Now, [TimeSpan]::Zero, 'not redirected', $null, $null)
        $none | Get-BurrowCircuit -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'FlowHasNoCircuit,*'
    }
    It 'renders the circuit table view' {
        $text = Get-BurrowCircuit -Name circ | Format-Table | Out-String -Width 250
        $text | Should -Match 'Network\s+Id\s+Purpose\s+Usable\s+Dirty\s+Streams\s+Sent\s+Received\s+Age\s+Isolation\s+Path'
        $text | Should -Match 'exit'
    }
    It 'raises FlowOpened and FlowClosed events for Register-ObjectEvent, and Information records' {
        Wait-Until { @($events | Where-Object Kind -eq 'FlowClosed').Count -ge 1 } -Because 'a FlowClosed event'
        $opened = @($events | Where-Object Kind -eq 'FlowOpened')
        $opened.Count | Should -BeGreaterOrEqual 1
        $opened[0].Data | Should -BeOfType ([Burrow.Core.Flows.FlowInfo])
        $opened[0].Message | Should -BeLike 'flow * opened on circuit *'
        $closed = @($events | Where-Object Kind -eq 'FlowClosed')
        $closed[0].Data.End | Should -Not -BeNullOrEmpty
        $kinds = @(Receive-Job $job -Keep -InformationVariable iv; $iv | ForEach-Object { $_.MessageData.Kind })
        $kinds | Should -Contain 'FlowOpened'
        $kinds | Should -Contain 'FlowClosed'
        $kinds | Should -Contain 'CircuitBuilt'
    }
}
