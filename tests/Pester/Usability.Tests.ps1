# What a new user hit (issue 14): each finding has a test here that failed before its fix.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')

    # The host output of a command (What if: lines, Write-Host) as text: run it in a child PowerShell.
    function Invoke-ChildPowerShell([string] $Script) {
        $exe = [Environment]::ProcessPath
        [string[]] $pre = if ((Split-Path $exe -Leaf) -like 'dotnet*') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
        $module = Join-Path $RepoRoot 'output/Burrow/Burrow.psd1'
        (& $exe @pre -NoProfile -NonInteractive -Command "Import-Module '$module'; $Script" 2>&1 | ForEach-Object { "$_" }) -join "`n"
    }

    # A TOML payload file forwarding to the private network's SocksPort; returns its path and listen port.
    function New-SocksToml {
        $tn = Get-TestNetwork
        $port = Get-FreePort
        $path = Join-Path $TestDrive "socks-$port.toml"
        @"
[tcp_stack]
kind = "system"
listen = "127.0.0.1:$port"

[upstream]
kind = "socks5"
socks5 = "127.0.0.1:$($tn.client.socksPort)"
"@ | Set-Content $path
        [pscustomobject]@{ Path = $path; Port = $port }
    }
}

Describe 'Usability (issue 14)' {
    AfterEach { Remove-TestBurrowNetworks }

    Context 'finding 1: piped lines are one payload' {
        It 'joins the lines of Get-Content without -Raw into one payload' {
            Assert-TestNamespace
            $toml = New-SocksToml
            $job = Get-Content $toml.Path | Start-BurrowTorNetwork -Name piped
            $job | Should -HaveCount 1
            Wait-Until { (Get-BurrowTorNetwork piped -ErrorAction SilentlyContinue).State -eq 'Running' } -Because 'piped network running'
            $net = Get-BurrowTorNetwork piped
            $net.ListenEndPoint.Port | Should -Be $toml.Port
            $net.Upstream | Should -BeLike 'socks5 127.0.0.1:*'
        }
        It 'refuses several piped hashtables with a clear error' {
            { @{ mtu = 1400 }, @{ mtu = 1500 } | Start-BurrowTorNetwork -Name twohash -ErrorAction Stop } |
                Should -Throw -ErrorId 'PayloadTypeInvalid,*' -ExpectedMessage '*2 objects*no single payload*one hashtable*'
            Get-Job -Name twohash -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    Context 'finding 4: a stop during bootstrap is a stop, not a failure' {
        It 'Stop-Job while the Tor client bootstraps leaves the job Stopped with no reason' {
            # A directory cache that accepts and never answers keeps the client bootstrapping.
            $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $silent.Start()
            try {
                $payload = @{
                    tcp_stack = @{ listen = "127.0.0.1:$(Get-FreePort)" }
                    arti      = @{
                        state_dir   = Join-Path $TestDrive 'boot-state'
                        cache_dir   = Join-Path $TestDrive 'boot-cache'
                        tor_network = @{
                            authorities     = @(@{ name = 'a'; v3ident = '61F074E9F9D611D41E24850D5E5E6A0CCAD97B28' })
                            fallback_caches = @(@{ rsa_identity = '68BA86063496B50C6FD2D99E825746BE89638AB6'; orports = @("127.0.0.1:$($silent.LocalEndpoint.Port)") })
                        }
                    }
                }
                $job = Start-BurrowTorNetwork -Name stopboot -Payload $payload
                Wait-Until { $silent.Pending() } -Because 'the client connected to the directory cache'
                $net = Get-BurrowTorNetwork stopboot
                $net.State | Should -Be 'Starting'
                Stop-Job -Job $job
                Wait-Until { $job.State -in 'Stopped', 'Failed' } -Because 'job finished'
                $job.State | Should -Be 'Stopped'
                $job.JobStateInfo.Reason | Should -BeNullOrEmpty
                $net.State | Should -Be 'Stopped'
                $net.Error | Should -BeNullOrEmpty
                { Receive-Job $job -ErrorAction Stop } | Should -Not -Throw
            } finally { $silent.Stop() }
        }
    }

    Context 'finding 5: the Tor network being joined is named' {
        It 'says an empty payload joins the public Tor network (-WhatIf and Verbose)' {
            $text = Invoke-ChildPowerShell "Start-BurrowTorNetwork -Name pub -Payload '{}' -WhatIf -Verbose"
            $text | Should -BeLike '*What if:*pub*joining the public Tor network*'
            $text | Should -BeLike '*Network pub joins the public Tor network (the payload names no authorities*'
        }
        It 'names a private network and a SocksPort' {
            $verbose = Start-BurrowTorNetwork -Name priv -WhatIf -Verbose 4>&1 -Payload @{ arti = @{ tor_network = @{
                authorities = @(@{ name = 'auth0'; v3ident = '61F074E9F9D611D41E24850D5E5E6A0CCAD97B28' })
                fallback_caches = @(@{ rsa_identity = '68BA86063496B50C6FD2D99E825746BE89638AB6'; orports = @('127.0.0.1:9') }) } } }
            "$verbose" | Should -BeLike '*joins a private Tor network (1 authority: auth0)*'
            $socks = Start-BurrowTorNetwork -Name sock -WhatIf -Verbose 4>&1 -Payload @{ upstream = @{ kind = 'socks5'; socks5 = '127.0.0.1:9050' } }
            "$socks" | Should -BeLike '*joins the Tor network behind the SocksPort 127.0.0.1:9050*'
        }
    }

    Context 'finding 6: -Wait says once that it is listening, and where' {
        It 'prints one line when the network listens' {
            $payload = New-SocksPayload
            $ps = [powershell]::Create()
            $null = $ps.AddScript({
                param($module, $payload)
                Import-Module $module
                Start-BurrowTorNetwork -Name waitline -Payload $payload -Wait
            }).AddArgument((Join-Path $RepoRoot 'output/Burrow/Burrow.psd1')).AddArgument($payload)
            $async = $ps.BeginInvoke()
            try {
                Wait-Until { (Get-BurrowTorNetwork waitline -ErrorAction SilentlyContinue).State -eq 'Running' } -Because 'foreground network running'
                $port = (Get-BurrowTorNetwork waitline).ListenEndPoint.Port
                Wait-Until { $ps.Streams.Information.Count -gt 0 } -Because 'the listening line'
                Stop-BurrowTorNetwork -Name waitline
                Wait-Until { $async.IsCompleted } -TimeoutSec 20 -Because '-Wait returned'
                $lines = @($ps.Streams.Information | Where-Object Tags -contains 'Listening')
                $lines | Should -HaveCount 1
                "$($lines[0].MessageData)" | Should -BeLike "Network waitline is listening on 127.0.0.1:$port (upstream socks5 *); press Ctrl+C to stop it."
                $lines[0].Tags | Should -Contain 'PSHOST'
            } finally { $ps.Dispose() }
        }
    }

    Context 'finding 8: names bind from Network, defaults agree, -Path is positional' {
        It 'binds -Name from the Network property of redirect results and flows' {
            Assert-TestNamespace
            $null = Start-TestBurrowNetwork -Name bindnet
            $null = Start-TestBurrowNetwork -Name othernet
            $r = Test-BurrowRedirect -Name bindnet -TimeoutSec 1
            $r | Get-BurrowFlow -ErrorVariable e
            $e | Should -BeNullOrEmpty
            ($r | Get-BurrowTorNetwork).Name | Should -Be 'bindnet'
            [pscustomobject]@{ Network = 'bindnet'; Id = 99 } | Get-BurrowTorNetwork | ForEach-Object Name | Should -Be 'bindnet'
            $r | Stop-BurrowTorNetwork -Confirm:$false
            Get-BurrowTorNetwork bindnet -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-BurrowTorNetwork othernet).State | Should -Be 'Running'
        }
        It 'Stop-BurrowTorNetwork without -Name stops the only running network, as Test-BurrowRedirect uses it' {
            $job = Start-TestBurrowNetwork -Name lonely
            Stop-BurrowTorNetwork
            $job.State | Should -Be 'Stopped'
            { Stop-BurrowTorNetwork -ErrorAction Stop } | Should -Throw -ErrorId 'NetworkNotRunning,*'
        }
        It 'refuses to guess among several networks' {
            $null = Start-TestBurrowNetwork -Name amb1
            $null = Start-TestBurrowNetwork -Name amb2
            { Stop-BurrowTorNetwork -ErrorAction Stop } | Should -Throw -ErrorId 'NetworkAmbiguous,*' -ExpectedMessage '*amb1*amb2*'
            (Get-BurrowTorNetwork amb1).State | Should -Be 'Running'
        }
        It 'takes -Path as the second positional parameter' {
            $toml = New-SocksToml
            $null = Start-BurrowTorNetwork positional $toml.Path
            Wait-Until { (Get-BurrowTorNetwork positional -ErrorAction SilentlyContinue).State -eq 'Running' } -Because 'positional network running'
            (Get-BurrowTorNetwork positional).ListenEndPoint.Port | Should -Be $toml.Port
        }
    }

    Context 'finding 9: errors say what is accepted, in words' {
        It 'refuses a bad network name without showing a regex' {
            $err = { Start-BurrowTorNetwork -Name 'bad name!' -Payload '{}' -ErrorAction Stop } | Should -Throw -PassThru
            $err.Exception.Message | Should -BeLike "*'bad name!' is not a valid network name*letters, digits*"
            $err.Exception.Message | Should -Not -BeLike '*^*$*'
            $err.Exception.Message | Should -Not -BeLike '*A-Za-z*'
        }
        It 'hints -AsHashtable or -Raw for a ConvertFrom-Json object' {
            { '{"mtu": 1400}' | ConvertFrom-Json | Start-BurrowTorNetwork -Name pso -ErrorAction Stop } |
                Should -Throw -ErrorId 'PayloadTypeInvalid,*' -ExpectedMessage '*PSCustomObject*ConvertFrom-Json -AsHashtable*Get-Content -Raw*'
        }
        It 'reports a hashtable that contains itself once, where the cycle closes' {
            $h = @{ mtu = 1400 }
            $h.arti = $h
            $err = { Start-BurrowTorNetwork -Name cyc -Payload $h -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'PayloadInvalid,*'
            $err.Exception.Message | Should -BeLike 'arti: this hashtable contains itself*top level*'
            $err.Exception.Message | Should -Not -BeLike '*arti.arti*'
        }
        It 'summarizes unreachable directory caches: each failure once, with a count' {
            $payload = @{
                tcp_stack = @{ listen = "127.0.0.1:$(Get-FreePort)" }
                arti      = @{
                    state_dir   = Join-Path $TestDrive 'dead-state'
                    cache_dir   = Join-Path $TestDrive 'dead-cache'
                    tor_network = @{
                        authorities     = @(@{ name = 'a'; v3ident = '61F074E9F9D611D41E24850D5E5E6A0CCAD97B28' })
                        fallback_caches = @(@{ rsa_identity = '68BA86063496B50C6FD2D99E825746BE89638AB6'; orports = @('127.0.0.1:9') })
                    }
                }
            }
            $job = Start-BurrowTorNetwork -Name deadsum -Payload $payload
            Wait-Until { $job.State -eq 'Failed' } -TimeoutSec 60 -Because 'job failed'
            $reason = $job.JobStateInfo.Reason.Message
            $reason | Should -BeLike '*no usable consensus after 2 attempts*(2 times)*'
            ([regex]::Matches($reason, '127\.0\.0\.1:9\b')).Count | Should -Be 1
        }
    }
}
