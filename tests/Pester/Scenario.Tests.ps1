# The whole user-visible path: a redirected client fetches through Burrow and the private Tor network.
BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
    $tn = Get-TestNetwork
    $http = $tn.http
}

Describe 'Transparent path through the private Tor network' {
    AfterEach { Remove-TestBurrowNetworks }

    It 'carries a redirected 50 MB download byte-exact and accounts for every byte' {
        $null = Start-TestBurrowNetwork -Name scenario
        $port = (Get-BurrowTorNetwork scenario).ListenEndPoint.Port
        $table = New-NftTable -Rules @(
            "meta skuid != $($tn.torUid) ip daddr $($http.address) tcp dport $($http.port) counter redirect to :$port"
            "ip daddr 198.51.100.7 tcp dport 443 counter redirect to :$port"
        )
        try {
            (Test-BurrowRedirect -Name scenario).Redirected | Should -BeTrue

            $out = Join-Path $TestDrive 'large'
            $sizes = & curl -sS --max-time 300 -o $out -w '%{size_request} %{size_header} %{size_download}' $http.largeUrl
            $LASTEXITCODE | Should -Be 0
            $request, $header, $body = $sizes -split ' ' | ForEach-Object { [long]$_ }
            $body | Should -Be $http.largeSize
            (Get-FileHash $out -Algorithm SHA256).Hash | Should -Be $http.largeSha256

            Wait-Until { (Get-BurrowFlow -Name scenario -State Closed) } -Because 'the flow closed'
            $flow = Get-BurrowFlow -Name scenario -State Closed
            $flow | Should -HaveCount 1
            $flow.Destination.ToString() | Should -Be "$($http.address):$($http.port)"
            $flow.BytesUp | Should -Be $request
            $flow.BytesDown | Should -Be ($header + $body)
            $flow.EndReason | Should -Be 'both sides closed'
            Get-NftPackets $table | Should -BeGreaterThan 0
        } finally { $table | Remove-NftTable }
    }

    It 'sends nothing through Burrow without the rule (negative control)' {
        $null = Start-TestBurrowNetwork -Name control
        & curl -sS --max-time 30 -o /dev/null $http.smallUrl
        $LASTEXITCODE | Should -Be 0
        Get-BurrowFlow -Name control | Should -BeNullOrEmpty
        (Test-BurrowRedirect -Name control -TimeoutSec 1).Redirected | Should -BeFalse
    }

    It 'carries parallel redirected fetches' {
        $null = Start-TestBurrowNetwork -Name parallel
        $port = (Get-BurrowTorNetwork parallel).ListenEndPoint.Port
        $table = New-NftTable -Rules "meta skuid != $($tn.torUid) ip daddr $($http.address) tcp dport $($http.port) redirect to :$port"
        try {
            $sizes = 1..20 | ForEach-Object -ThrottleLimit 20 -Parallel {
                & curl -sS --max-time 120 -o /dev/null -w '%{size_download}' ($using:http).smallUrl
            }
            $sizes | Should -HaveCount 20
            $sizes | ForEach-Object { [long]$_ | Should -Be $http.smallSize }
            Wait-Until { @(Get-BurrowFlow -Name parallel -State Closed).Count -eq 20 } -Because '20 flows closed'
        } finally { $table | Remove-NftTable }
    }

    It 'carries the same path through the built-in Tor client: bootstrap progress, byte-exact download, exits shown' {
        $payload = @{
            tcp_stack = @{ listen = "127.0.0.1:$(Get-FreePort)" }
            arti      = @{
                state_dir   = Join-Path $TestDrive 'state'
                cache_dir   = Join-Path $TestDrive 'cache'
                tor_network = @{ dir_authorities = @($tn.dirAuthorityLines) }
                path_rules  = @{ ipv4_subnet_family_prefix = 33 }
            }
        }
        $job = Start-TestBurrowNetwork -Name builtin -Payload $payload
        $net = Get-BurrowTorNetwork builtin
        $net.Upstream | Should -Be 'in-process Tor client'
        ($job.Progress | ForEach-Object StatusDescription) -join "`n" | Should -Match 'loading microdescriptors'
        # The overall percent is the bar's PercentComplete; the text never carries a second percentage.
        $job.Progress | ForEach-Object StatusDescription | Where-Object { $_ -match '%.*%' } | Should -BeNullOrEmpty
        $table = New-NftTable -Rules "meta skuid != $($tn.torUid) ip daddr $($http.address) tcp dport $($http.port) counter redirect to :$($net.ListenEndPoint.Port)"
        try {
            $out = Join-Path $TestDrive 'large'
            $sizes = & curl -sS --max-time 300 -o $out -w '%{size_request} %{size_header} %{size_download}' $http.largeUrl
            $LASTEXITCODE | Should -Be 0
            $request, $header, $body = $sizes -split ' ' | ForEach-Object { [long]$_ }
            (Get-FileHash $out -Algorithm SHA256).Hash | Should -Be $http.largeSha256

            Wait-Until { Get-BurrowFlow -Name builtin -State Closed } -Because 'the flow closed'
            $flow = Get-BurrowFlow -Name builtin -State Closed
            $flow.BytesUp | Should -Be $request
            $flow.BytesDown | Should -Be ($header + $body)
            $exits = $tn.relays | Where-Object role -eq 'exit'
            $flow.Circuit | Should -Match '^\S+ \([0-9A-F]{8}\.\.\)$'
            ($exits.nickname) | Should -Contain ($flow.Circuit -split ' ')[0]
            (Get-BurrowFlow -Name builtin | Format-Table | Out-String) | Should -Match ([regex]::Escape(($flow.Circuit -split ' ')[0]))
        } finally { $table | Remove-NftTable }
    }
}
