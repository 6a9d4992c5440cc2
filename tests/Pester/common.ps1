# Shared by every Burrow Pester test: imports the built module (output/Burrow) and the private Tor
# network helpers, plus nft and polling helpers. Dot-source it in BeforeAll.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
Import-Module (Join-Path $RepoRoot 'output/Burrow/Burrow.psd1') -Force
. (Join-Path $PSScriptRoot 'TestNet.ps1')

# Kernel-redirect tests program nft: only ever inside the namespace ./build.sh test makes.
function Assert-TestNamespace {
    $name = (& ip netns identify 2>$null) -join ''
    if (-not $name.StartsWith('burrow-')) {
        throw "this test programs nft redirect rules and must run inside its own network namespace: run it through './build.sh test'"
    }
}

# Adds an nft table with one nat/output chain holding $Rules; returns the table name.
function New-NftTable {
    param([ValidateSet('ip', 'ip6', 'inet')][string] $Family = 'ip', [Parameter(Mandatory)][string[]] $Rules)
    Assert-TestNamespace
    $name = 'burrow_pester_' + [guid]::NewGuid().ToString('N').Substring(0, 10)
    $body = ($Rules | ForEach-Object { "    $_" }) -join "`n"
    $text = "table $Family $name {`n  chain out {`n    type nat hook output priority -100; policy accept;`n$body`n  }`n}`n"
    $out = $text | & nft -f - 2>&1
    if ($LASTEXITCODE -ne 0) { throw "nft failed: $out`n$text" }
    [pscustomobject]@{ Family = $Family; Name = $name }
}

function Remove-NftTable {
    param([Parameter(ValueFromPipeline)] $Table)
    process { if ($Table) { & nft delete table $Table.Family $Table.Name 2>$null } }
}

# Packets counted by the table's counter rules.
function Get-NftPackets {
    param([Parameter(Mandatory)] $Table)
    $text = (& nft list table $Table.Family $Table.Name) -join "`n"
    ([regex]::Matches($text, 'counter packets (\d+)') | ForEach-Object { [long]$_.Groups[1].Value } | Measure-Object -Sum).Sum
}

# Polls until $Condition is true; throws with $Because after $TimeoutSec.
function Wait-Until {
    param([Parameter(Mandatory)][scriptblock] $Condition, [int] $TimeoutSec = 30, [string] $Because = 'condition')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ([DateTime]::UtcNow -lt $deadline) {
        if (& $Condition) { return }
        Start-Sleep -Milliseconds 100
    }
    throw "timed out after $TimeoutSec s waiting for: $Because"
}

# A free TCP port on loopback.
function Get-FreePort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $l.Start(); $port = $l.LocalEndpoint.Port; $l.Stop(); $port
}

# A payload that forwards through the private network's C tor SocksPort.
function New-SocksPayload {
    param([int] $ListenPort = (Get-FreePort), [string] $ListenAddress = '127.0.0.1')
    $tn = Get-TestNetwork
    $listen = if ($ListenAddress.Contains(':')) { "[$ListenAddress]:$ListenPort" } else { "${ListenAddress}:$ListenPort" }
    @{
        tcp_stack = @{ kind = 'system'; listen = $listen }
        upstream  = @{ kind = 'socks5'; socks5 = "127.0.0.1:$($tn.client.socksPort)" }
        arti      = @{ state_dir = (Join-Path ([IO.Path]::GetTempPath()) 'burrow-pester/state'); cache_dir = (Join-Path ([IO.Path]::GetTempPath()) 'burrow-pester/cache') }
    }
}

# Starts a network and waits until it listens; returns the job.
function Start-TestBurrowNetwork {
    param([Parameter(Mandatory)][string] $Name, [hashtable] $Payload = (New-SocksPayload))
    $job = Start-BurrowTorNetwork -Name $Name -Payload $Payload
    Wait-Until { (Get-BurrowTorNetwork -Name $Name -ErrorAction SilentlyContinue).State -eq 'Running' } -TimeoutSec 30 -Because "network $Name running"
    $job
}

# Stops and removes what a test left behind.
function Remove-TestBurrowNetworks {
    Get-BurrowTorNetwork | Stop-BurrowTorNetwork -Confirm:$false -ErrorAction SilentlyContinue
    Get-Job | Where-Object PSJobTypeName -eq 'BurrowTorNetwork' | Remove-Job -Force -ErrorAction SilentlyContinue
}

# Starts a network whose upstream is the in-process Tor client on the private network; returns the job.
function Start-TestTorClientNetwork {
    param([Parameter(Mandatory)][string] $Name)
    $tn = Get-TestNetwork
    $dir = Join-Path ([IO.Path]::GetTempPath()) "burrow-pester/torclient-$Name-$PID"
    $payload = @{
        tcp_stack = @{ listen = "127.0.0.1:$(Get-FreePort)" }
        arti      = @{
            state_dir   = Join-Path $dir 'state'
            cache_dir   = Join-Path $dir 'cache'
            tor_network = @{ dir_authorities = @($tn.dirAuthorityLines) }
            path_rules  = @{ ipv4_subnet_family_prefix = 33 }
        }
    }
    $job = Start-BurrowTorNetwork -Name $Name -Payload $payload
    Wait-Until { (Get-BurrowTorNetwork -Name $Name -ErrorAction SilentlyContinue).State -eq 'Running' } -TimeoutSec 90 -Because "network $Name running"
    $job
}

# Redirects TCP to the private network's HTTP server into the network's listener; returns the nft table.
function New-HttpRedirect {
    param([Parameter(Mandatory)][string] $Name)
    $tn = Get-TestNetwork
    $port = (Get-BurrowTorNetwork $Name).ListenEndPoint.Port
    # The tor processes run as their own user: exempting it keeps the exit's own connection out of Burrow.
    New-NftTable -Rules "meta skuid != $($tn.torUid) ip daddr $($tn.http.address) tcp dport $($tn.http.port) counter redirect to :$port"
}

# Opens a TCP connection to the HTTP server that sends nothing: through a redirect, a flow that stays open.
function Open-IdleHttpConnection {
    $tn = Get-TestNetwork
    $c = [System.Net.Sockets.TcpClient]::new()
    $c.Connect([System.Net.IPAddress]::Parse($tn.http.address), [int]$tn.http.port)
    $c
}
