BeforeAll { . (Join-Path $PSScriptRoot 'common.ps1') }

Describe 'Get-BurrowTorNetwork' {
    AfterEach { Remove-TestBurrowNetworks }

    It 'lists running networks with wildcards and completes their names' {
        $null = Start-TestBurrowNetwork -Name alpha
        $null = Start-TestBurrowNetwork -Name beta
        (Get-BurrowTorNetwork).Name | Should -Be @('alpha', 'beta')
        (Get-BurrowTorNetwork -Name 'al*').Name | Should -Be 'alpha'
        $completions = TabExpansion2 -inputScript 'Get-BurrowFlow -Name b' -cursorColumn 22
        $completions.CompletionMatches.CompletionText | Should -Contain 'beta'
        $completions.CompletionMatches.CompletionText | Should -Not -Contain 'alpha'
    }
    It 'renders with the module''s table view' {
        $null = Start-TestBurrowNetwork -Name shown
        $text = Get-BurrowTorNetwork shown | Format-Table | Out-String
        $text | Should -Match 'Name\s+State\s+Listen\s+Upstream'
        $text | Should -Match 'shown\s+Running\s+127\.0\.0\.1:\d+'
    }
    It 'writes NetworkNotFound for a plain unknown name, nothing for an unmatched wildcard' {
        Get-BurrowTorNetwork -Name ghost -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NetworkNotFound,*'
        Get-BurrowTorNetwork -Name 'ghost*' -ErrorVariable e2 | Should -BeNullOrEmpty
        $e2 | Should -BeNullOrEmpty
    }
}
