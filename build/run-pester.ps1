# Runs tests/Pester with Pester 5.7.1 from the NuGet global packages folder (build/PesterPackage.csproj
# brings it there) and writes "passed failed" to -ResultFile. -Path runs only those test files.
param([Parameter(Mandatory)][string] $ResultFile, [string[]] $Path)
$ErrorActionPreference = 'Stop'
$packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else {
    ((dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
}
Import-Module (Join-Path $packages 'pester/5.7.1/tools/Pester.psd1') -Force
$root = Split-Path $PSScriptRoot -Parent
$config = New-PesterConfiguration
$config.Run.Path = if ($Path) { $Path } else { Join-Path $root 'tests/Pester' }
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
"$($result.PassedCount) $($result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount)" | Set-Content -Path $ResultFile
if ($result.Result -ne 'Passed') { exit 1 }
