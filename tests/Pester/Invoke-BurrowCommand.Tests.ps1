BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
    $script:tn = Get-TestNetwork
    # The in-process Tor client (circuits to compare), every name automapped: the command's lookups of the test
    # names get virtual addresses, and their connections are opened by name (the exits resolve them to the HTTP server).
    $dir = Join-Path ([IO.Path]::GetTempPath()) "burrow-pester/inv-$PID"
    $payload = @{
        tcp_stack = @{ listen = "127.0.0.1:$(Get-FreePort)" }
        dns       = @{ automap_suffixes = @('.') }
        arti      = @{
            state_dir   = Join-Path $dir 'state'
            cache_dir   = Join-Path $dir 'cache'
            tor_network = @{ dir_authorities = @($tn.dirAuthorityLines) }
            path_rules  = @{ ipv4_subnet_family_prefix = 33 }
        }
    }
    $null = Start-BurrowTorNetwork -Name inv -Payload $payload
    Wait-Until { (Get-BurrowTorNetwork -Name inv -ErrorAction SilentlyContinue).State -eq 'Running' } -TimeoutSec 90 -Because 'network inv running'
    $script:smallUrl = "http://$($tn.http.hostName):$($tn.http.port)/small"

    # The BurrowCommandResult among a command's output (-PassThru writes it last).
    function Get-Result { param([Parameter(ValueFromPipeline)] $Item) process { if ($Item -is [Burrow.Cmdlets.Commands.BurrowCommandResult]) { $Item } } }
}
AfterAll {
    Remove-TestBurrowNetworks
}

Describe 'Invoke-BurrowCommand: one command through Tor' {
    It 'fetches the private network''s HTTP server with curl: same bytes, and the flow shows its exit' {
        $out = Invoke-BurrowCommand -Name inv -FilePath bash -ArgumentList '-c', "curl -sS --max-time 60 $smallUrl | sha256sum" -PassThru
        $r = $out | Get-Result
        $r.ExitCode | Should -Be 0
        $LASTEXITCODE | Should -Be 0
        ($out | Where-Object { $_ -is [string] }) | Should -Be "$($tn.http.smallSha256)  -"
        $r.DnsNames | Should -Contain $tn.http.hostName
        $flow = $r.Flows | Where-Object Hostname -eq $tn.http.hostName | Select-Object -First 1
        $flow.State | Should -Be 'Closed'
        $flow.Invocation | Should -Be $r.Invocation
        $flow.CircuitId | Should -BeGreaterThan 0
        ($tn.relays | Where-Object role -eq 'exit').nickname | Should -Contain ($flow.Circuit -split ' ')[0]
        $flow.BytesDown | Should -BeGreaterThan 0
        $r.BytesDown | Should -Be ($r.Flows | Measure-Object BytesDown -Sum).Sum
        # The same flow object Get-BurrowFlow shows, tagged with the invocation.
        (Get-BurrowFlow -Name inv -Id $flow.Id).Invocation | Should -Be $r.Invocation
        $r.Blocked | Should -Be 0
    }

    It 'gives a second invocation another circuit (each invocation is its own isolation scope)' {
        $a = Invoke-BurrowCommand -Name inv -FilePath curl -ArgumentList '-sS', '-o', '/dev/null', '--max-time', '60', $smallUrl -PassThru | Get-Result
        $b = Invoke-BurrowCommand -Name inv -FilePath curl -ArgumentList '-sS', '-o', '/dev/null', '--max-time', '60', $smallUrl -PassThru | Get-Result
        $a.ExitCode | Should -Be 0
        $b.ExitCode | Should -Be 0
        $b.Invocation | Should -Not -Be $a.Invocation
        $ca = @($a.Flows.CircuitId | Where-Object { $_ })
        $cb = @($b.Flows.CircuitId | Where-Object { $_ })
        $ca.Count | Should -BeGreaterThan 0
        $cb.Count | Should -BeGreaterThan 0
        $cb | Where-Object { $ca -contains $_ } | Should -BeNullOrEmpty
        (Get-BurrowCircuit -Name inv -Id $cb[0]).IsolationKey | Should -BeLike "*s=invocation=$($b.Invocation)*"
    }

    It 'runs a script block doing Invoke-WebRequest in a child pwsh and brings its objects back' {
        $out = Invoke-BurrowCommand -Name inv -PassThru -ArgumentList $smallUrl {
            param($url)
            $response = Invoke-WebRequest -Uri $url -UseBasicParsing -TimeoutSec 60
            [pscustomobject]@{ Status = [int]$response.StatusCode; Length = $response.RawContentLength; Pid = $PID }
            Write-Warning 'from the namespace'
        } -WarningVariable warnings -WarningAction SilentlyContinue
        $r = $out | Get-Result
        $o = $out | Where-Object { $_ -isnot [Burrow.Cmdlets.Commands.BurrowCommandResult] }
        $o.Status | Should -Be 200
        $o.Length | Should -Be $tn.http.smallSize
        $o.Pid | Should -Not -Be $PID
        $o.PSObject.TypeNames | Should -Contain 'Deserialized.System.Management.Automation.PSCustomObject'
        "$warnings" | Should -Be 'from the namespace'
        $r.ExitCode | Should -Be 0
        $r.Flows.Count | Should -BeGreaterThan 0
    }

    It 'clones a git repository over git:// from a git daemon on the test HTTP host' {
        $repo = Join-Path $TestDrive 'served/repo.git'
        $work = Join-Path $TestDrive 'work'
        $null = New-Item -ItemType Directory -Path $work
        & git -C $work init -q -b main 2>&1 | Out-Null
        Set-Content -Path (Join-Path $work 'hello.txt') -Value 'through tor'
        & git -C $work -c user.email=t@t -c user.name=t add hello.txt 2>&1 | Out-Null
        & git -C $work -c user.email=t@t -c user.name=t commit -q -m one 2>&1 | Out-Null
        & git clone -q --bare $work $repo 2>&1 | Out-Null
        $port = Get-FreePort
        $daemon = Start-Process -FilePath git -ArgumentList @('daemon', '--reuseaddr', '--export-all', "--base-path=$(Join-Path $TestDrive 'served')", "--listen=$($tn.http.address)", "--port=$port") -PassThru -RedirectStandardError (Join-Path $TestDrive 'daemon.err')
        try {
            Wait-Until { (ss -Hltn "sport = :$port") -match 'LISTEN' } -TimeoutSec 20 -Because 'git daemon listening'
            $clone = Join-Path $TestDrive 'clone'
            $r = Invoke-BurrowCommand -Name inv -FilePath git -ArgumentList 'clone', '-q', "git://$($tn.http.hostName):$port/repo.git", $clone -PassThru | Get-Result
            $r.ExitCode | Should -Be 0
            Get-Content (Join-Path $clone 'hello.txt') | Should -Be 'through tor'
            $r.Flows.Target | Should -Match ":$port "
        } finally {
            Stop-Process -Id $daemon.Id -Force -ErrorAction SilentlyContinue
            $daemon.WaitForExit(10000) | Out-Null
        }
    }

    It 'lets nothing but TCP and DNS out: UDP, ping and an unreachable TCP destination fail and are counted' {
        $out = Invoke-BurrowCommand -Name inv -PassThru {
            try { $null = [System.Net.Sockets.UdpClient]::new().Send([byte[]](1, 2), 2, '198.51.100.1', 9); 'udp sent' } catch { 'udp failed' }
            try { [string][System.Net.NetworkInformation.Ping]::new().Send('198.51.100.1', 2000).Status } catch { 'ping failed' }
            try {
                $c = [System.Net.Sockets.TcpClient]::new(); $c.Connect('198.51.100.7', 80)
                $s = $c.GetStream(); $s.ReadTimeout = 30000
                $s.Write([byte[]](71, 69, 84, 10), 0, 4); 'tcp read ' + $s.Read([byte[]]::new(16), 0, 16)
            } catch { 'tcp failed' }
            (ip -o link | ForEach-Object { ($_ -split ': ')[1] -replace '@.*' }) -join ','
        }
        $r = $out | Get-Result
        $lines = $out | Where-Object { $_ -is [string] }
        $lines | Should -Contain 'udp failed'
        $lines | Should -Contain 'ping failed'
        $lines | Where-Object { $_ -eq 'tcp failed' -or $_ -eq 'tcp read 0' } | Should -Not -BeNullOrEmpty
        # Nothing but loopback and the void pair exist in the namespace: there is no way out but Burrow's listeners.
        $lines | Should -Contain 'lo,burrow-sink,burrow-void'
        $r.BlockedUdp | Should -BeGreaterOrEqual 1
        $r.BlockedIcmp | Should -BeGreaterOrEqual 1
        $tcp = $r.Flows | Where-Object { "$($_.Destination)" -eq '198.51.100.7:80' }
        $tcp | Should -Not -BeNullOrEmpty
        $tcp.State | Should -BeIn @('Failed', 'Refused')
        # Nothing of it in this (the test's) namespace: no table of the invocation.
        (nft list tables) -match 'burrow_cmd' | Should -BeNullOrEmpty
    }

    It 'is a CI check: the exit code of the script block, also in $LASTEXITCODE' {
        (Invoke-BurrowCommand -Name inv -PassThru { curl -sS -o /dev/null --max-time 60 $args[0] } -ArgumentList $smallUrl | Get-Result).ExitCode | Should -Be 0
        (Invoke-BurrowCommand -Name inv -PassThru { exit 3 } | Get-Result).ExitCode | Should -Be 3
        $LASTEXITCODE | Should -Be 3
        Invoke-BurrowCommand -Name inv -FilePath false
        $LASTEXITCODE | Should -Be 1
    }

    It 'streams a program''s stdout as strings and its stderr as error records' {
        $out = Invoke-BurrowCommand -Name inv -FilePath bash -ArgumentList '-c', 'echo one; echo two >&2; echo three' -ErrorVariable errs -ErrorAction SilentlyContinue
        $out | Should -Be @('one', 'three')
        $errs.Count | Should -Be 1
        "$($errs[0])" | Should -Be 'two'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'NativeCommandError*'
    }

    It 'gives pwsh''s own error for a program that does not exist' {
        { Invoke-BurrowCommand -Name inv -FilePath no-such-program-here } | Should -Throw -ErrorId 'CommandNotFoundException*'
        try { Invoke-BurrowCommand -Name inv -FilePath no-such-program-here } catch { $e = $_ }
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.Exception | Should -BeOfType ([System.Management.Automation.CommandNotFoundException])
        $e.Exception.Message | Should -BeLike "The term 'no-such-program-here' is not recognized as a name of a cmdlet, function, script file, or executable program.*"
    }

    It 'names what it needs when pwsh runs without CAP_SYS_ADMIN' {
        $payload = (New-SocksPayload) | ConvertTo-Json -Depth 5 -Compress
        $script = "Import-Module '$RepoRoot/output/Burrow/Burrow.psd1'; `$null = Start-BurrowTorNetwork -Name nocap -Payload '$payload'; " +
            "`$deadline = [DateTime]::UtcNow.AddSeconds(30); while ((Get-BurrowTorNetwork -Name nocap).State -ne 'Running' -and [DateTime]::UtcNow -lt `$deadline) { Start-Sleep -Milliseconds 100 }; " +
            "try { Invoke-BurrowCommand -Name nocap -FilePath true; 'no error' } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category; `$_.Exception.Message }"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        Push-Location $RepoRoot
        try {
            # Root without CAP_SYS_ADMIN in its bounding set: the child pwsh cannot unshare.
            $out = & timeout 90 setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin -- dotnet pwsh -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        } finally {
            Pop-Location
        }
        $out[0] | Should -BeLike 'NamespaceNotPermitted*'
        $out[1] | Should -Be 'PermissionDenied'
        ($out -join "`n") | Should -Match 'root or CAP_SYS_ADMIN'
    }

    It 'says clearly when no network or several run' {
        { Invoke-BurrowCommand -Name nosuchnet -FilePath true } | Should -Throw -ErrorId 'NetworkNotFound*'
    }

    It 'reports a network that stops while the command runs, and removes the namespace' {
        $null = Start-TestBurrowNetwork -Name invstop -Payload (New-SocksPayload)
        $flag = Join-Path $TestDrive 'started'
        # A thread job shares this process's networks once it has the module.
        $stopper = Start-ThreadJob -ArgumentList $flag, (Join-Path $RepoRoot 'output/Burrow/Burrow.psd1') {
            param($flag, $module)
            Import-Module $module
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not (Test-Path $flag) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            Stop-BurrowTorNetwork -Name invstop -Confirm:$false
        }
        try {
            { Invoke-BurrowCommand -Name invstop -FilePath bash -ArgumentList '-c', "touch '$flag'; exec -a burrow-stop-$PID sleep 120" } | Should -Throw -ErrorId 'NetworkStopped*'
        } finally {
            $stopper | Wait-Job -Timeout 60 | Receive-Job -ErrorAction Continue
            $stopper | Remove-Job -Force
        }
        # The command was stopped with its whole tree.
        Wait-Until { -not (Get-Process -ErrorAction SilentlyContinue | Where-Object { (Get-Content "/proc/$($_.Id)/cmdline" -Raw -ErrorAction SilentlyContinue) -like "burrow-stop-$PID*" }) } -TimeoutSec 15 -Because 'the command is gone'
        (Get-BurrowTorNetwork -Name invstop -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty
    }

    It 'leaves no namespace, table, mount, listener or child after kill -9 of the pwsh that runs it' {
        $payload = (New-SocksPayload) | ConvertTo-Json -Depth 5 -Compress
        $marker = "burrow-k9-$PID"
        $script = "Import-Module '$RepoRoot/output/Burrow/Burrow.psd1'; `$null = Start-BurrowTorNetwork -Name k9 -Payload '$payload'; " +
            "while ((Get-BurrowTorNetwork -Name k9).State -ne 'Running') { Start-Sleep -Milliseconds 100 }; " +
            "Invoke-BurrowCommand -Name k9 -FilePath bash -ArgumentList '-c', 'exec -a $marker sleep 300'"
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
        $mountsBefore = @(Get-Content /proc/self/mountinfo | Where-Object { $_ -match 'resolv\.conf' }).Count
        $child = Start-Process -FilePath dotnet -WorkingDirectory $RepoRoot -ArgumentList @('pwsh', '-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) -PassThru -RedirectStandardOutput (Join-Path $TestDrive 'out.txt') -RedirectStandardError (Join-Path $TestDrive 'err.txt')
        $pwshTree = [System.Collections.Generic.List[int]]::new()
        try {
            $sleeper = $null
            Wait-Until { ($script:sleeper = Get-Process -ErrorAction SilentlyContinue | Where-Object { (Get-Content "/proc/$($_.Id)/cmdline" -Raw -ErrorAction SilentlyContinue) -like "$marker*" } | Select-Object -First 1) } -TimeoutSec 60 -Because 'the command runs in its namespace'
            $netns = (Get-Item "/proc/$($script:sleeper.Id)/ns/net").Target
            $netns | Should -Not -Be (Get-Item /proc/self/ns/net).Target
            # The pwsh tree (muxer -> shim -> pwsh.dll) only: the command's own processes must die by themselves.
            $pwshTree.Add($child.Id)
            for ($i = 0; $i -lt $pwshTree.Count; $i++) {
                foreach ($c in @(ps -o pid=,comm= --ppid $pwshTree[$i])) {
                    $f = "$c".Trim() -split '\s+'
                    if ($f.Count -ge 2 -and $f[1] -in @('dotnet', 'pwsh')) { $pwshTree.Add([int]$f[0]) }
                }
            }
        } finally {
            foreach ($p in $pwshTree) { kill -9 $p 2>$null }
            if (-not $pwshTree.Contains($child.Id)) { kill -9 $child.Id 2>$null }
            $child.WaitForExit(30000) | Out-Null
        }
        Wait-Until { -not (Get-Process -Id $script:sleeper.Id -ErrorAction SilentlyContinue) } -TimeoutSec 30 -Because 'the command dies with the pwsh that ran it'
        Wait-Until {
            -not (Get-ChildItem /proc/[0-9]*/task/[0-9]*/ns/net -ErrorAction SilentlyContinue | Where-Object { $_.Target -eq $netns })
        } -TimeoutSec 30 -Because 'no process or thread is left in the namespace'
        (nft list tables) -match 'burrow_(cmd|k9)' | Should -BeNullOrEmpty
        @(Get-Content /proc/self/mountinfo | Where-Object { $_ -match 'resolv\.conf' }).Count | Should -Be $mountsBefore
        Get-ChildItem ([IO.Path]::GetTempPath()) -Filter 'burrow-resolv-*' | Should -BeNullOrEmpty
    }
}
