BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

Describe 'Stop-BurrowTorNetwork' {
    AfterEach { Remove-TestBurrowNetworks }

    It 'stops by name, frees the port and ends the job' {
        $job = Start-TestBurrowNetwork -Name stopme
        $endpoint = (Get-BurrowTorNetwork stopme).ListenEndPoint
        Stop-BurrowTorNetwork -Name stopme
        Get-BurrowTorNetwork -Name stopme -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $job.State | Should -Be 'Stopped'
        $l = [System.Net.Sockets.TcpListener]::new($endpoint)
        { $l.Start() } | Should -Not -Throw
        $l.Stop()
    }
    It 'takes jobs and networks from the pipeline, with -PassThru' {
        $null = Start-TestBurrowNetwork -Name pipe1
        $null = Start-TestBurrowNetwork -Name pipe2
        Get-Job -Name pipe1 | Stop-BurrowTorNetwork
        $stopped = Get-BurrowTorNetwork -Name pipe2 | Stop-BurrowTorNetwork -PassThru
        $stopped.Name | Should -Be 'pipe2'
        $stopped.State | Should -Be 'Stopped'
        Get-BurrowTorNetwork | Where-Object Name -like 'pipe*' | Should -BeNullOrEmpty
    }
    It 'changes nothing with -WhatIf' {
        $null = Start-TestBurrowNetwork -Name keep
        Stop-BurrowTorNetwork -Name keep -WhatIf
        (Get-BurrowTorNetwork keep).State | Should -Be 'Running'
    }
    It 'writes a NetworkNotFound error for an unknown name and carries on' {
        $null = Start-TestBurrowNetwork -Name known
        Stop-BurrowTorNetwork -Name unknown, known -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NetworkNotFound,*'
        Get-BurrowTorNetwork known -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
    It 'stops every network when the module is removed' {
        $null = Start-TestBurrowNetwork -Name byremove
        $net = Get-BurrowTorNetwork byremove
        Remove-Module Burrow
        $net.State | Should -Be 'Stopped'
        Import-Module (Join-Path $RepoRoot 'output/Burrow/Burrow.psd1') -Force
    }
}
