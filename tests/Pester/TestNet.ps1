# The private Tor network of tests/TestNet for Pester tests. Dot-source it:
#
#   BeforeAll {
#       . "$PSScriptRoot/TestNet.ps1"
#       $net = Get-TestNetwork        # ConvertFrom-Json of DIR/network.json
#   }
#
# Get-TestNetwork uses the network named by $env:BURROW_TESTNET_DIR when it is healthy;
# otherwise it starts one (once per PowerShell process) under <repo>/.testnet/pester/<basePort>
# on a base port no other network uses. That one is stopped by Stop-TestNetwork or, failing
# that, by the network itself when this PowerShell process ends (testnet start --stop-with-pid).
# A network named by the variable is never stopped here.

$script:TestNetScript = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../TestNet/testnet'))
$script:TestNetRepoRoot = [System.IO.Path]::GetFullPath((Join-Path $PSScriptRoot '../..'))

function Invoke-TestNetScript {
    [CmdletBinding()]
    param([Parameter(Mandatory)][string[]] $Arguments)
    $output = & bash $script:TestNetScript @Arguments 2>&1 | ForEach-Object { "$_" }
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output -join "`n") }
}

function Test-TestNetworkHealthy {
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)][string] $Path)
    (Test-Path -LiteralPath $Path -PathType Container) -and (Invoke-TestNetScript @('status', $Path)).ExitCode -eq 0
}

function Test-TestNetPortRange {
    # True when none of BasePort..BasePort+99 has a listener (TCP or UDP on 127.0.0.1) and the
    # HTTP port is free on 127.0.0.2. Same socket option as tor: TIME_WAIT does not count.
    param([int] $BasePort)
    $bind = {
        param($address, $port, $type, $protocol)
        $s = [System.Net.Sockets.Socket]::new([System.Net.Sockets.AddressFamily]::InterNetwork, $type, $protocol)
        try {
            $s.SetSocketOption([System.Net.Sockets.SocketOptionLevel]::Socket, [System.Net.Sockets.SocketOptionName]::ReuseAddress, $true)
            $s.Bind([System.Net.IPEndPoint]::new([System.Net.IPAddress]::Parse($address), $port))
            $true
        } catch {
            $false
        } finally {
            $s.Dispose()
        }
    }
    foreach ($port in $BasePort..($BasePort + 99)) {
        if (-not (& $bind '127.0.0.1' $port 'Stream' 'Tcp')) { return $false }
        if (-not (& $bind '127.0.0.1' $port 'Dgram' 'Udp')) { return $false }
    }
    & $bind '127.0.0.2' ($BasePort + 80) 'Stream' 'Tcp'
}

function Get-TestNetwork {
    <#
    .SYNOPSIS
    The private Tor network for this PowerShell process: attached via $env:BURROW_TESTNET_DIR,
    or started on first use (~8-12 s). Returns network.json as an object (see tests/TestNet/README.md).
    #>
    [CmdletBinding()]
    param()

    $state = $global:BurrowTestNetState
    if ($state -and (Test-Path -LiteralPath (Join-Path $state.Dir 'network.json'))) {
        return $state.Network
    }

    if ($env:BURROW_TESTNET_DIR) {
        $dir = [System.IO.Path]::GetFullPath($env:BURROW_TESTNET_DIR)
        if (Test-TestNetworkHealthy $dir) {
            $net = Get-Content -Raw -LiteralPath (Join-Path $dir 'network.json') | ConvertFrom-Json
            $global:BurrowTestNetState = [pscustomobject]@{ Dir = $dir; Network = $net; Owned = $false; Lock = $null }
            return $net
        }
        Write-Warning "BURROW_TESTNET_DIR=$dir holds no healthy network; starting our own"
    }

    # Reserve a base port: a lock file in the temp folder (dropped by the kernel when this
    # process dies) that PrivateTorNetwork.cs and other PowerShell processes respect too.
    $basePort = $null
    $lock = $null
    for ($port = 20000; $port -le 32600; $port += 100) {
        $lockPath = Join-Path ([System.IO.Path]::GetTempPath()) "burrow-testnet-$port.lock"
        try {
            $lock = [System.IO.File]::Open($lockPath, 'OpenOrCreate', 'ReadWrite', 'None')
        } catch {
            continue
        }
        if (Test-TestNetPortRange $port) {
            $basePort = $port
            break
        }
        $lock.Dispose()
        $lock = $null
    }
    if ($null -eq $basePort) {
        throw 'Get-TestNetwork: no free range of 100 ports between 20000 and 32699'
    }

    $dir = Join-Path $script:TestNetRepoRoot ".testnet/pester/$basePort"
    New-Item -ItemType Directory -Force -Path $dir | Out-Null
    # We hold this base port, so anything still running from this folder is an orphan.
    $null = Invoke-TestNetScript @('stop', $dir)
    # --stop-with-pid: the network stops by itself when this PowerShell process ends.
    $start = Invoke-TestNetScript @('start', $dir, '--base-port', "$basePort", '--stop-with-pid', "$PID", '--stop-lock', $lockPath)
    if ($start.ExitCode -ne 0) {
        $lock.Dispose()
        throw "Get-TestNetwork: testnet start $dir failed (exit $($start.ExitCode)):`n$($start.Output)"
    }
    $net = Get-Content -Raw -LiteralPath (Join-Path $dir 'network.json') | ConvertFrom-Json
    $global:BurrowTestNetState = [pscustomobject]@{ Dir = $dir; Network = $net; Owned = $true; Lock = $lock }
    $net
}

function Stop-TestNetwork {
    <#
    .SYNOPSIS
    Stops the network Get-TestNetwork started (keys stay for a faster next start). A network
    attached through $env:BURROW_TESTNET_DIR is left running.
    #>
    [CmdletBinding()]
    param()

    $state = $global:BurrowTestNetState
    if (-not $state) { return }
    try {
        if ($state.Owned) {
            $stop = Invoke-TestNetScript @('stop', $state.Dir)
            if ($stop.ExitCode -ne 0) {
                throw "Stop-TestNetwork: testnet stop $($state.Dir) failed (exit $($stop.ExitCode)):`n$($stop.Output)"
            }
        }
    } finally {
        if ($state.Lock) { $state.Lock.Dispose() }
        $global:BurrowTestNetState = $null
    }
}
