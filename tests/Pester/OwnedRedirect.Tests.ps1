BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace

    # A payload whose network installs its own rules: SOCKS upstream (the testnet's C tor client, user debian-tor, exempted).
    function New-InstallPayload {
        param([int] $ListenPort = (Get-FreePort), [int] $DnsPort = (Get-FreePort))
        $p = New-SocksPayload -ListenPort $ListenPort
        $p.redirect = @{ install = $true; exempt_users = @('debian-tor') }
        $p.dns = @{ listen = "127.0.0.1:$DnsPort" }
        $p
    }
    function Get-BurrowTables { (nft list tables) -match 'table inet burrow_' }
}

Describe 'redirect.install: Burrow installs and owns its rules' {
    AfterEach { Remove-TestBurrowNetworks }

    It 'passes every check of Test-BurrowRedirect with nothing else configured, and removes the table on stop' {
        $null = Start-TestBurrowNetwork -Name owned -Payload (New-InstallPayload)
        (nft list table inet burrow_owned) -join "`n" | Should -Match 'flags owner'
        (Test-BurrowRedirect -Name owned).Redirected | Should -BeTrue
        $all = Test-BurrowRedirect -Name owned -All
        ($all.Check -join ',') | Should -Be 'TcpIPv4,TcpIPv6,Dns,FailClosed'
        foreach ($r in $all) { $r.Redirected | Should -BeTrue -Because "$($r.Check): $($r.Detail)" }
        Get-BurrowFlow -Name owned | Should -BeNullOrEmpty
        Stop-BurrowTorNetwork -Name owned
        Get-BurrowTables | Should -BeNullOrEmpty
    }

    It 'shows the exact nft script with -WhatIf and installs nothing' {
        $payload = (New-InstallPayload -ListenPort 19040 -DnsPort 19053) | ConvertTo-Json -Depth 5 -Compress
        $script = "Import-Module '$RepoRoot/output/Burrow/Burrow.psd1'; Start-BurrowTorNetwork -Name wi -Payload '$payload' -WhatIf"
        $out = & dotnet pwsh -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
        $out | Should -Match 'table inet burrow_wi'
        $out | Should -Match 'redirect to :19040'
        $out | Should -Match 'redirect to :19053'
        $out | Should -Match 'meta mark 0x00004252 return'
        Get-BurrowTables | Should -BeNullOrEmpty
    }

    It 'leaves no table and no listener after kill -9 of the process that runs the network' {
        $port = Get-FreePort
        $payload = (New-InstallPayload -ListenPort $port) | ConvertTo-Json -Depth 5 -Compress
        $script = "Import-Module '$RepoRoot/output/Burrow/Burrow.psd1'; Start-BurrowTorNetwork -Name crash -Payload '$payload' -Wait"
        # -EncodedCommand: Start-Process joins -ArgumentList with spaces, unquoted.
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $child = Start-Process -FilePath dotnet -WorkingDirectory $RepoRoot -ArgumentList @('pwsh', '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'out.txt') -RedirectStandardError (Join-Path $TestDrive 'err.txt')
        try {
            Wait-Until { (nft list tables) -match 'table inet burrow_crash' } -TimeoutSec 60 -Because 'the child installs its table'
        } finally {
            # `dotnet pwsh` runs pwsh two levels below the muxer (muxer -> tool shim -> pwsh.dll): collect the whole
            # tree first (a killed parent's children are reparented and no longer found by --ppid), then kill -9 all of it.
            $pids = [System.Collections.Generic.List[int]]::new(); $pids.Add($child.Id)
            for ($i = 0; $i -lt $pids.Count; $i++) {
                foreach ($c in @(ps -o pid= --ppid $pids[$i])) { if ($c.Trim()) { $pids.Add([int]$c.Trim()) } }
            }
            foreach ($p in $pids) { kill -9 $p 2>$null }
            # Bounded: the redirected output stays open while any process of the tree lives.
            $child.WaitForExit(30000) | Should -BeTrue -Because "every process of the tree ($($pids -join ', ')) was killed"
            Wait-Until { -not ((nft list tables) -match 'table inet burrow_crash') } -TimeoutSec 10 -Because 'the kernel removes an owned table when its process dies' 
        }
        Get-BurrowTables | Should -BeNullOrEmpty
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
        { $l.Start() } | Should -Not -Throw
        $l.Stop()
    }
}
