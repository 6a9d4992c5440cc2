@{
    RootModule             = 'Burrow.dll'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Core')
    GUID                   = '6c1f2f7e-5a0b-4c8e-9a43-2b7d0e9f4a11'
    Author                 = 'Burrow developers'
    CompanyName            = 'Burrow'
    Copyright              = '(c) Burrow developers'
    Description            = 'Sends a host''s outbound TCP through Tor transparently: a transparent listener, original-destination recovery, and a Tor client.'
    PowerShellVersion      = '7.6'
    FormatsToProcess       = @('Burrow.format.ps1xml')
    CmdletsToExport        = @(
        'Start-BurrowTorNetwork'
        'Stop-BurrowTorNetwork'
        'Get-BurrowTorNetwork'
        'Get-BurrowFlow'
        'Test-BurrowRedirect'
        'Get-BurrowTorClient'
        'Get-BurrowCircuit'
        'New-BurrowTorIdentity'
        'Stop-BurrowFlow'
        'Invoke-BurrowCommand'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags       = @('Tor', 'TransparentProxy', 'Network', 'Linux', 'macOS')
            ProjectUri = 'https://burrow.invalid/'
        }
    }
}
