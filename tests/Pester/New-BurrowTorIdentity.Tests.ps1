BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
    $script:job = Start-TestTorClientNetwork -Name newnym
    $script:table = New-HttpRedirect -Name newnym
    $script:first = Open-IdleHttpConnection
    Wait-Until { Get-BurrowFlow -Name newnym -State Open } -TimeoutSec 60 -Because 'the first flow is open'
}
AfterAll {
    if ($first) { $first.Dispose() }
    if ($second) { $second.Dispose() }
    $table | Remove-NftTable
    Remove-TestBurrowNetworks
}

Describe 'New-BurrowTorIdentity' {
    It 'changes nothing with -WhatIf' {
        New-BurrowTorIdentity -Name newnym -WhatIf
        @(Get-BurrowCircuit -Name newnym | Where-Object IsUsable).Count | Should -BeGreaterThan 0
    }
    It 'makes every existing circuit unusable for new streams; a new flow gets a new circuit' {
        $old = (Get-BurrowFlow -Name newnym -State Open).CircuitId
        $retired = @(New-BurrowTorIdentity -Name newnym -PassThru)
        $retired.Id | Should -Contain $old
        $retired | ForEach-Object { $_.IsUsable | Should -BeFalse }
        # The busy circuit keeps its flow but takes nothing new.
        $busy = Get-BurrowCircuit -Name newnym -Id $old
        $busy.IsUsable | Should -BeFalse
        $busy.Streams | Should -Be 1
        @(Get-BurrowFlow -Name newnym -State Open).Count | Should -Be 1

        $script:second = Open-IdleHttpConnection
        Wait-Until { @(Get-BurrowFlow -Name newnym -State Open).Count -eq 2 } -TimeoutSec 60 -Because 'the second flow is open'
        $new = (Get-BurrowFlow -Name newnym -State Open | Sort-Object Id | Select-Object -Last 1).CircuitId
        $new | Should -Not -Be $old
        $retired.Id | Should -Not -Contain $new
        (Get-BurrowCircuit -Name newnym -Id $new).IsUsable | Should -BeTrue
    }
    It 'uses the only running network when -Name is omitted, and takes names from the pipeline' {
        { New-BurrowTorIdentity -ErrorAction Stop } | Should -Not -Throw
        { Get-BurrowTorClient -Name newnym | New-BurrowTorIdentity -ErrorAction Stop } | Should -Not -Throw
    }
    It 'refuses a SOCKS network with a reason' {
        $null = Start-TestBurrowNetwork -Name nymsocks
        New-BurrowTorIdentity -Name nymsocks -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'TorClientNotInProcess,*'
        { New-BurrowTorIdentity -ErrorAction Stop } | Should -Throw -ErrorId 'NetworkAmbiguous,*'
        Stop-BurrowTorNetwork -Name nymsocks
    }
}
