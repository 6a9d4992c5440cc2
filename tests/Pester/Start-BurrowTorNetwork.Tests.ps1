BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

Describe 'Start-BurrowTorNetwork' {
    AfterEach { Remove-TestBurrowNetworks }

    Context 'bad payloads fail at once, before any job exists' {
        It 'rejects an unsupported tcp_stack.kind naming the key and what is accepted' {
            { Start-BurrowTorNetwork -Name badkind -Payload '{"tcp_stack": {"kind": "lwip"}}' -ErrorAction Stop } |
                Should -Throw -ErrorId 'PayloadInvalid,Burrow.Cmdlets.Commands.StartBurrowTorNetworkCommand' -ExpectedMessage "*tcp_stack.kind*lwip*supported kinds: system*"
            Get-Job -Name badkind -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-BurrowTorNetwork -Name badkind -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        It 'reports TOML syntax errors with line and column' {
            $path = Join-Path $TestDrive 'bad.toml'
            "mtu = 1400`n[tcp_stack`nkind = 'system'" | Set-Content $path
            $err = { Start-BurrowTorNetwork -Name badtoml -Path $path -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'PayloadInvalid,*'
            $err.Exception.Line | Should -Be 2
        }
        It 'rejects a hashtable with a bad listen port' {
            { Start-BurrowTorNetwork -Name badport -Payload @{ tcp_stack = @{ listen = '127.0.0.1:70000' } } -ErrorAction Stop } |
                Should -Throw -ExpectedMessage '*tcp_stack.listen*70000*'
        }
        It 'refuses a payload file it cannot read as PayloadFileUnreadable with the path as target (<Case>)' -ForEach @(
            @{ Case = 'missing';   Make = { Join-Path $TestDrive 'none.toml' };                                          Category = 'ObjectNotFound'; Text = '*does not exist*' }
            @{ Case = 'directory'; Make = { $TestDrive };                                                                Category = 'InvalidType';    Text = '*is a directory*' }
            @{ Case = 'device';    Make = { '/dev/zero' };                                                               Category = 'InvalidType';    Text = '*not a regular file*' }
            @{ Case = 'binary';    Make = { $p = Join-Path $TestDrive 'bin.toml'; [IO.File]::WriteAllBytes($p, [byte[]](0x7f, 0x45, 0x4c, 0x46, 0, 0)); $p }; Category = 'InvalidType'; Text = '*binary file*' }
        ) {
            $path = & $Make
            $err = { Start-BurrowTorNetwork -Name unreadable -Path $path -ErrorAction Stop } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'PayloadFileUnreadable,*'
            $err.CategoryInfo.Category | Should -Be $Category
            $err.TargetObject | Should -Not -BeNullOrEmpty
            $err.Exception.Message | Should -BeLike $Text
            Get-Job -Name unreadable -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        It 'rejects a payload of the wrong type' {
            { Start-BurrowTorNetwork -Name badtype -Payload 42 -ErrorAction Stop } | Should -Throw -ErrorId 'PayloadTypeInvalid,*'
        }
    }

    Context 'with the built-in Tor client (the default upstream)' {
        It 'bootstraps on the private network and runs' {
            $tn = Get-TestNetwork
            $payload = @{
                tcp_stack = @{ listen = "127.0.0.1:$(Get-FreePort)" }
                arti      = @{
                    state_dir   = Join-Path $TestDrive 'state'
                    cache_dir   = Join-Path $TestDrive 'cache'
                    tor_network = @{
                        authorities     = @($tn.authorities | ForEach-Object { @{ name = $_.nickname; v3ident = $_.v3ident } })
                        fallback_caches = @($tn.authorities | ForEach-Object { @{ rsa_identity = $_.fingerprint; orports = @("$($_.address):$($_.orPort)") } })
                    }
                    path_rules  = @{ ipv4_subnet_family_prefix = 33 }
                }
            }
            $null = Start-TestBurrowNetwork -Name inproc -Payload $payload
            (Get-BurrowTorNetwork -Name inproc).Upstream | Should -Be 'in-process Tor client'
            Test-Path (Join-Path $TestDrive 'cache/cached-microdesc-consensus') | Should -BeTrue
        }
        It 'fails the job with the reason when no directory cache answers' {
            $payload = @{
                tcp_stack = @{ listen = "127.0.0.1:$(Get-FreePort)" }
                arti      = @{
                    state_dir   = Join-Path $TestDrive 'state2'
                    cache_dir   = Join-Path $TestDrive 'cache2'
                    tor_network = @{
                        authorities     = @(@{ name = 'a'; v3ident = '61F074E9F9D611D41E24850D5E5E6A0CCAD97B28' })
                        fallback_caches = @(@{ rsa_identity = '68BA86063496B50C6FD2D99E825746BE89638AB6'; orports = @('127.0.0.1:9') })
                    }
                }
            }
            $job = Start-BurrowTorNetwork -Name deadcache -Payload $payload
            Wait-Until { $job.State -eq 'Failed' } -TimeoutSec 60 -Because 'job failed'
            $job.JobStateInfo.Reason.Message | Should -BeLike '*Tor client could not start*no usable consensus*'
        }
    }

    Context 'with a SOCKS upstream' {
        It 'starts a job in the session''s job repository that Get-Job, Receive-Job, Stop-Job and Remove-Job handle' {
            $job = Start-TestBurrowNetwork -Name jobnet
            $job.PSJobTypeName | Should -Be 'BurrowTorNetwork'
            $job.Name | Should -Be 'jobnet'
            (Get-Job -Name jobnet).State | Should -Be 'Running'
            $net = Get-BurrowTorNetwork -Name jobnet
            $net.Upstream | Should -BeLike 'socks5 127.0.0.1:*'
            $net.RecoveryMethod | Should -Be 'SO_ORIGINAL_DST'
            $verbose = Receive-Job -Name jobnet -Verbose 4>&1 | ForEach-Object { "$_" }
            ($verbose -join "`n") | Should -BeLike '*listening on*'
            Stop-Job -Name jobnet
            (Get-Job -Name jobnet).State | Should -Be 'Stopped'
            Get-BurrowTorNetwork -Name jobnet -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Remove-Job -Name jobnet
            Get-Job -Name jobnet -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        It 'is a Job2: Stop-Job -PassThru | Wait-Job finishes it, Receive-Job drains it, Remove-Job -Force stops a running one' {
            $job = Start-TestBurrowNetwork -Name job2net
            $job | Should -BeOfType ([System.Management.Automation.Job2])
            $stopped = Stop-Job -Job $job -PassThru | Wait-Job -Timeout 30
            $stopped.State | Should -Be 'Stopped'
            $null = Receive-Job $job -Verbose 4>&1
            $job.HasMoreData | Should -BeFalse
            Remove-Job $job

            $running = Start-TestBurrowNetwork -Name job2force
            Remove-Job -Job $running -Force
            $running.State | Should -Be 'Stopped'
            Get-Job -Name job2force -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            Get-BurrowTorNetwork -Name job2force -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        It 'refuses a second network with the same name' {
            $null = Start-TestBurrowNetwork -Name twice
            { Start-BurrowTorNetwork -Name twice -Payload (New-SocksPayload) -ErrorAction Stop } | Should -Throw -ErrorId 'NetworkAlreadyRunning,*'
        }
        It 'fails the job with the reason when the listen address is in use' {
            $busy = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $busy.Start()
            try {
                $job = Start-BurrowTorNetwork -Name busy -Payload (New-SocksPayload -ListenPort $busy.LocalEndpoint.Port)
                Wait-Until { $job.State -eq 'Failed' } -TimeoutSec 20 -Because 'job failed'
                $job.JobStateInfo.Reason.Message | Should -BeLike '*tcp_stack.listen*already in use*'
                { Receive-Job $job -ErrorAction Stop } | Should -Throw -ExpectedMessage '*already in use*'
            } finally { $busy.Stop() }
        }
        It 'fails the job clearly when the SocksPort is not there' {
            $payload = New-SocksPayload
            $payload.upstream.socks5 = "127.0.0.1:$(Get-FreePort)"
            $job = Start-BurrowTorNetwork -Name nosocks -Payload $payload
            Wait-Until { $job.State -eq 'Failed' } -TimeoutSec 20 -Because 'job failed'
            $job.JobStateInfo.Reason.Message | Should -BeLike '*upstream.socks5*cannot reach*'
        }
        It 'starts nothing with -WhatIf' {
            Start-BurrowTorNetwork -Name whatif -Payload (New-SocksPayload) -WhatIf | Should -BeNullOrEmpty
            Get-Job -Name whatif -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
        It 'accepts the same payload from a JSON file and a TOML file' {
            $h = New-SocksPayload
            $json = Join-Path $TestDrive 'p.json'
            $h | ConvertTo-Json -Depth 5 | Set-Content $json
            $null = Start-TestBurrowNetwork -Name fromjson -Payload $h
            Stop-BurrowTorNetwork -Name fromjson
            $job = Start-BurrowTorNetwork -Name fromjson2 -Path $json
            Wait-Until { (Get-BurrowTorNetwork fromjson2 -ErrorAction SilentlyContinue).State -eq 'Running' } -Because 'json network running'
            $toml = Join-Path $TestDrive 'p.toml'
            $port = Get-FreePort
            @"
[tcp_stack]
kind = "system"
listen = "127.0.0.1:$port"

[upstream]
kind = "socks5"
socks5 = "$($h.upstream.socks5)"
"@ | Set-Content $toml
            $null = Start-BurrowTorNetwork -Name fromtoml -Path $toml
            Wait-Until { (Get-BurrowTorNetwork fromtoml -ErrorAction SilentlyContinue).State -eq 'Running' } -Because 'toml network running'
            (Get-BurrowTorNetwork fromtoml).ListenEndPoint.Port | Should -Be $port
        }
        It 'stays in the foreground with -Wait, showing progress, until the network is stopped' {
            $payload = New-SocksPayload
            $ps = [powershell]::Create()
            $null = $ps.AddScript({
                param($module, $payload)
                Import-Module $module
                Start-BurrowTorNetwork -Name waiting -Payload $payload -Wait -Verbose
            }).AddArgument((Join-Path $RepoRoot 'output/Burrow/Burrow.psd1')).AddArgument($payload)
            $async = $ps.BeginInvoke()
            try {
                Wait-Until { (Get-BurrowTorNetwork waiting -ErrorAction SilentlyContinue).State -eq 'Running' } -Because 'foreground network running'
                $async.IsCompleted | Should -BeFalse
                Stop-BurrowTorNetwork -Name waiting
                Wait-Until { $async.IsCompleted } -TimeoutSec 20 -Because '-Wait returned'
                $ps.EndInvoke($async)
                $ps.Streams.Progress.Count | Should -BeGreaterThan 0
                ($ps.Streams.Verbose | ForEach-Object Message) -join "`n" | Should -BeLike '*listening on*'
            } finally { $ps.Dispose() }
        }
    }
}
