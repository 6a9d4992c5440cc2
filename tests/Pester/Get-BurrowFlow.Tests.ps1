BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
    $tn = Get-TestNetwork
    $http = $tn.http
    $null = Start-TestBurrowNetwork -Name flows
    $port = (Get-BurrowTorNetwork flows).ListenEndPoint.Port
    $closedPort = Get-FreePort
    # The tor processes run as their own user: exempting it keeps the exit's own connection to the
    # HTTP server from being redirected back into Burrow.
    $table = New-NftTable -Rules @(
        "meta skuid != $($tn.torUid) ip daddr $($http.address) tcp dport { $($http.port), $closedPort } counter redirect to :$port"
    )
    $small = & curl -sS --max-time 60 "http://$($http.address):$($http.port)/small" | Out-String
    & curl -sS --max-time 60 "http://$($http.address):$closedPort/" 2>$null
    Wait-Until { @(Get-BurrowFlow -Name flows | Where-Object End).Count -ge 2 } -Because 'two flows ended'
}
AfterAll {
    $table | Remove-NftTable
    Remove-TestBurrowNetworks
}

Describe 'Get-BurrowFlow' {
    It 'shows a forwarded flow with its original destination, method and bytes' {
        $f = Get-BurrowFlow -Name flows -State Closed
        $f | Should -HaveCount 1
        $f.Destination.ToString() | Should -Be "$($http.address):$($http.port)"
        $f.Method | Should -Be 'SO_ORIGINAL_DST'
        $f.BytesDown | Should -BeGreaterThan $http.smallSize
        $f.BytesUp | Should -BeGreaterThan 0
        $f.Network | Should -Be 'flows'
    }
    It 'shows why a flow failed when the destination refused through Tor' {
        $f = Get-BurrowFlow -Name flows -State Failed
        $f | Should -HaveCount 1
        $f.EndReason | Should -BeLike 'upstream *'
        $f.Error | Should -Not -BeNullOrEmpty
        $f.Destination.Port | Should -Be $closedPort
    }
    It 'filters by destination wildcard and id' {
        (Get-BurrowFlow -Name flows -Destination "*:$closedPort").State | Should -Be 'Failed'
        $id = (Get-BurrowFlow -Name flows -State Closed).Id
        (Get-BurrowFlow -Id $id).Id | Should -Be $id
        Get-BurrowFlow -Name flows -Destination '203.0.113.*' | Should -BeNullOrEmpty
    }
    It 'takes network names from the pipeline' {
        @(Get-BurrowTorNetwork -Name flows | Get-BurrowFlow).Count | Should -Be 2
    }
    It 'renders the flow table view' {
        $text = Get-BurrowFlow -Name flows | Format-Table | Out-String
        $text | Should -Match 'Id\s+Network\s+Source\s+Destination\s+State\s+Up\s+Down\s+Exit\s+Age'
        $text | Should -Match 'Closed'
        $text | Should -Match '\d+(\.\d)? (B|KB)'
    }
    It 'writes NetworkNotFound for an unknown network' {
        Get-BurrowFlow -Name nosuch -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NetworkNotFound,*'
    }
}
