BeforeAll {
    $script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:Manifest = Join-Path $RepoRoot 'output/Burrow/Burrow.psd1'
}

Describe 'The Burrow module' {
    It 'has a manifest Test-ModuleManifest accepts, for PowerShell 7.6+ Core' {
        $m = Test-ModuleManifest -Path $Manifest -ErrorAction Stop
        $m.Name | Should -Be 'Burrow'
        $m.PowerShellVersion | Should -Be ([version]'7.6')
        $m.CompatiblePSEditions | Should -Be @('Core')
        $m.RootModule | Should -Be 'Burrow.dll'
    }
    It 'exports exactly the cmdlets it lists, and no functions or aliases' {
        $module = Import-Module $Manifest -Force -PassThru
        $exported = $module.ExportedCmdlets.Keys | Sort-Object
        $exported | Should -Be @('Get-BurrowCircuit', 'Get-BurrowFlow', 'Get-BurrowTorClient', 'Get-BurrowTorNetwork', 'Invoke-BurrowCommand', 'New-BurrowTorIdentity', 'Start-BurrowTorNetwork', 'Stop-BurrowFlow', 'Stop-BurrowTorNetwork', 'Test-BurrowRedirect')
        $module.ExportedFunctions.Count | Should -Be 0
        $module.ExportedAliases.Count | Should -Be 0
        $exported | ForEach-Object { (Get-Verb -Verb ($_ -split '-')[0]) | Should -Not -BeNullOrEmpty -Because "$_ uses an approved verb" }
    }
    It 'marks the state-changing cmdlets with ShouldProcess' {
        foreach ($name in 'Start-BurrowTorNetwork', 'Stop-BurrowTorNetwork', 'New-BurrowTorIdentity', 'Stop-BurrowFlow') {
            (Get-Command $name).Parameters.Keys | Should -Contain 'WhatIf'
        }
    }
    It 'loads its format views' {
        Import-Module $Manifest -Force
        (Get-FormatData -TypeName 'Burrow.Core.Flows.FlowInfo') | Should -Not -BeNullOrEmpty
        (Get-FormatData -TypeName 'Burrow.Core.Transparent.RedirectTestResult') | Should -Not -BeNullOrEmpty
        foreach ($type in 'Burrow.Tor.Client.TorClientStatus', 'Burrow.Tor.Client.TorCircuitInfo', 'Burrow.Cmdlets.Jobs.BurrowEvent') {
            (Get-FormatData -TypeName $type) | Should -Not -BeNullOrEmpty -Because "$type has a view"
        }
    }
}
