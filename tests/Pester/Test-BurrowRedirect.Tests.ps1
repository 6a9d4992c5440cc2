BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    Assert-TestNamespace
}

Describe 'Test-BurrowRedirect' {
    AfterEach { Remove-TestBurrowNetworks }

    It 'is true with a redirect rule and false without it (a Pester-friendly result, not an error)' {
        $null = Start-TestBurrowNetwork -Name probe
        $port = (Get-BurrowTorNetwork probe).ListenEndPoint.Port

        $without = Test-BurrowRedirect -Name probe -TimeoutSec 2
        $without.Redirected | Should -BeFalse
        $without.Detail | Should -BeLike 'not redirected*'
        $without.Destination.ToString() | Should -Be '198.51.100.7:443'

        $table = New-NftTable -Rules "ip daddr 198.51.100.7 tcp dport 443 counter redirect to :$port"
        try {
            $with = Test-BurrowRedirect -Name probe
            $with.Redirected | Should -BeTrue
            $with.Observed.ToString() | Should -Be '198.51.100.7:443'
            $with.Method | Should -Be 'SO_ORIGINAL_DST'
            $with.Network | Should -Be 'probe'
            Get-NftPackets $table | Should -BeGreaterThan 0
            # The probe is never forwarded: no flow, nothing sent upstream.
            Get-BurrowFlow -Name probe | Should -BeNullOrEmpty
        } finally { $table | Remove-NftTable }
    }

    It 'works as the CI provisioning check from the design' {
        $null = Start-TestBurrowNetwork -Name ci
        $table = New-NftTable -Rules "ip daddr 198.51.100.7 tcp dport 443 redirect to :$((Get-BurrowTorNetwork ci).ListenEndPoint.Port)"
        try {
            (Test-BurrowRedirect -Name ci).Redirected | Should -BeTrue
        } finally { $table | Remove-NftTable }
    }

    It 'recovers an IPv6 original destination on an IPv6 listener' {
        $null = Start-TestBurrowNetwork -Name v6 -Payload (New-SocksPayload -ListenAddress '::1')
        $port = (Get-BurrowTorNetwork v6).ListenEndPoint.Port
        $table = New-NftTable -Family ip6 -Rules "ip6 daddr fd00:b0::7 tcp dport 443 counter redirect to :$port"
        try {
            $r = Test-BurrowRedirect -Name v6 -Destination '[fd00:b0::7]:443'
            $r.Redirected | Should -BeTrue
            $r.Observed.ToString() | Should -Be '[fd00:b0::7]:443'
            $r.Method | Should -Be 'SO_ORIGINAL_DST'
        } finally { $table | Remove-NftTable }
    }

    It 'uses the only running network when -Name is omitted' {
        $null = Start-TestBurrowNetwork -Name only
        (Test-BurrowRedirect -TimeoutSec 1).Network | Should -Be 'only'
    }

    It 'gives clear errors for a bad destination and an unknown network' {
        $null = Start-TestBurrowNetwork -Name errs
        { Test-BurrowRedirect -Name errs -Destination 'nowhere' -ErrorAction Stop } | Should -Throw -ErrorId 'DestinationInvalid,*'
        { Test-BurrowRedirect -Name nosuch -ErrorAction Stop } | Should -Throw -ErrorId 'NetworkNotFound,*'
    }

    It 'says no network is running when there is none' {
        { Test-BurrowRedirect -ErrorAction Stop } | Should -Throw -ErrorId 'NetworkNotRunning,*'
    }
}
