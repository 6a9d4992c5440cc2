BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
    $null = Start-TestBurrowNetwork -Name stopflow
    $script:table = New-HttpRedirect -Name stopflow
}
AfterAll {
    $table | Remove-NftTable
    Remove-TestBurrowNetworks
}

Describe 'Stop-BurrowFlow' {
    It 'closes a live flow by id: the client is reset, the flow says who closed it' {
        $c = Open-IdleHttpConnection
        try {
            Wait-Until { Get-BurrowFlow -Name stopflow -State Open } -TimeoutSec 60 -Because 'an open flow'
            $flow = Get-BurrowFlow -Name stopflow -State Open
            $ended = Stop-BurrowFlow -Name stopflow -Id $flow.Id -PassThru
            $ended.Id | Should -Be $flow.Id
            $ended.State | Should -Be 'Closed'
            $ended.EndReason | Should -Be 'closed by Stop-BurrowFlow'
            $ended.EndKind | Should -Be 'ClosedByAdmin'
            # The client sees its connection end.
            $c.Client.ReceiveTimeout = 10000
            $buffer = [byte[]]::new(16)
            $read = try { $c.Client.Receive($buffer) } catch [System.Net.Sockets.SocketException] { -1 }
            $read | Should -BeLessOrEqual 0
        } finally { $c.Dispose() }
    }
    It 'closes piped flows and leaves the others' {
        $a = Open-IdleHttpConnection
        $b = Open-IdleHttpConnection
        try {
            Wait-Until { @(Get-BurrowFlow -Name stopflow -State Open).Count -eq 2 } -TimeoutSec 60 -Because 'two open flows'
            $first, $second = Get-BurrowFlow -Name stopflow -State Open | Sort-Object Id
            $first | Stop-BurrowFlow -Confirm:$false
            Wait-Until { (Get-BurrowFlow -Name stopflow -Id $first.Id).State -eq 'Closed' } -Because 'the piped flow closed'
            (Get-BurrowFlow -Name stopflow -Id $second.Id).State | Should -Be 'Open'
        } finally { $a.Dispose(); $b.Dispose() }
    }
    It 'changes nothing with -WhatIf' {
        # The previous test's flows end as its clients are disposed: wait, or one of them is taken for this one's.
        Wait-Until { -not (Get-BurrowFlow -Name stopflow -State Open) } -TimeoutSec 30 -Because "the previous test's flows ended"
        $c = Open-IdleHttpConnection
        try {
            Wait-Until { Get-BurrowFlow -Name stopflow -State Open } -TimeoutSec 60 -Because 'an open flow'
            Get-BurrowFlow -Name stopflow -State Open | Stop-BurrowFlow -WhatIf
            @(Get-BurrowFlow -Name stopflow -State Open).Count | Should -Be 1
        } finally { $c.Dispose() }
    }
    It 'writes FlowNotLive for an ended or unknown flow and carries on' {
        $closed = Get-BurrowFlow -Name stopflow -State Closed | Select-Object -First 1
        Stop-BurrowFlow -Name stopflow -Id $closed.Id, 424242 -ErrorVariable e -ErrorAction SilentlyContinue
        $e | Should -HaveCount 2
        $e[0].FullyQualifiedErrorId | Should -BeLike 'FlowNotLive,*'
        "$($e[0])" | Should -BeLike '*already ended*'
        "$($e[1])" | Should -BeLike '*no such flow*'
    }
}
