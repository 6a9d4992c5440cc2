# The module's help, as users see it through Get-Help: built by ./build.sh build from docs/help
# (build/New-BurrowHelp.ps1). Needs no Tor network and no namespace.
BeforeDiscovery {
    $manifest = Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../Burrow.psd1')
    $cmdlets = $manifest.CmdletsToExport | ForEach-Object { @{ Name = $_ } }
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $module = Get-Module Burrow
    $helpDir = Join-Path $module.ModuleBase 'en-US'
    $commonParameters = [System.Management.Automation.Cmdlet]::CommonParameters
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    BeforeAll {
        $command = Get-Command -Name $Name -Module Burrow
        $help = Get-Help -Name $Name -Full
        $parameterNames = @($command.Parameters.Keys | Where-Object { $_ -notin $commonParameters })
        $helpParameters = @($help.parameters.parameter)
    }

    It 'comes from the module''s MAML file' {
        # The file name until Get-Help has loaded it, then its full path.
        Split-Path $command.HelpFile -Leaf | Should -Be 'Burrow.dll-Help.xml'
        Join-Path $helpDir 'Burrow.dll-Help.xml' | Should -Exist
    }

    It 'has a synopsis of its own, not the generated syntax' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without help, Get-Help makes the synopsis from the syntax: "Verb-Noun [-Param] <Type> ...".
        $help.Synopsis.Trim() | Should -Not -Match ('^' + [regex]::Escape($Name) + '(\s|$)')
        $help.Synopsis | Should -Not -Match '<CommonParameters>'
    }

    It 'has a description' {
        ($help.description.Text -join "`n").Trim() | Should -Not -BeNullOrEmpty
        ($help.description.Text -join ' ').Length | Should -BeGreaterThan 200
    }

    It 'documents every parameter with a description' {
        $undocumented = $parameterNames | Where-Object {
            $p = $helpParameters | Where-Object name -eq $_
            -not $p -or -not (($p.description.Text -join '').Trim())
        }
        $undocumented | Should -BeNullOrEmpty -Because 'every parameter needs a description in docs/help'
    }

    It 'documents no parameter the cmdlet does not have' {
        $helpParameters.name | Where-Object { $_ -notin $parameterNames } | Should -BeNullOrEmpty
    }

    It 'has the code''s facts for each parameter' {
        foreach ($name in $parameterNames) {
            $p = $helpParameters | Where-Object name -eq $name
            $sets = @($command.ParameterSets | ForEach-Object { $_.Parameters | Where-Object Name -eq $name })
            $p.required | Should -Be ([string](-not ($sets.IsMandatory -contains $false))).ToLowerInvariant() -Because "-$name mandatory"
            $byValue = [bool]($sets | Where-Object ValueFromPipeline)
            $byProperty = [bool]($sets | Where-Object ValueFromPipelineByPropertyName)
            $p.pipelineInput | Should -BeLike $(if ($byValue -or $byProperty) { 'True (*)' } else { 'False' }) -Because "-$name pipeline input"
            if ($byValue) { $p.pipelineInput | Should -BeLike '*ByValue*' }
            if ($byProperty) { $p.pipelineInput | Should -BeLike '*ByPropertyName*' }
            $wildcards = [bool]($command.Parameters[$name].Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
            $p.globbing | Should -Be ([string]$wildcards).ToLowerInvariant() -Because "-$name wildcards"
        }
    }

    It 'has one syntax entry per parameter set, with that set''s parameters' {
        $items = @($help.syntax.syntaxItem)
        $items.Count | Should -Be $command.ParameterSets.Count
        $expected = @($command.ParameterSets | ForEach-Object {
            (@($_.Parameters.Name | Where-Object { $_ -notin $commonParameters }) | Sort-Object) -join ','
        })
        foreach ($item in $items) {
            ((@($item.parameter.name) | Sort-Object) -join ',') | Should -BeIn $expected
        }
    }

    It 'has at least two examples, each with a title and code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($e in $examples) {
            $e.title | Should -Match 'Example \d+: \S'
            $e.code.Trim() | Should -Not -BeNullOrEmpty
        }
        # Examples use the cmdlet they document.
        ($examples.code -join "`n") | Should -Match ([regex]::Escape($Name))
    }

    It 'describes every output type the cmdlet declares' {
        $described = @($help.returnValues.returnValue | ForEach-Object { $_.type.name })
        foreach ($t in $command.OutputType) { $described | Should -Contain $t.Name }
    }

    It 'names its inputs and links to about_Burrow' {
        @($help.inputTypes.inputType).Count | Should -BeGreaterThan 0
        @($help.relatedLinks.navigationLink.linkText) | Should -Contain 'about_Burrow'
    }

    It 'renders synopsis, description, parameters and examples in Get-Help -Full' {
        $text = Get-Help -Name $Name -Full | Out-String -Width 200
        $text | Should -Match 'SYNOPSIS'
        $text | Should -Match 'DESCRIPTION'
        $text | Should -Match 'PARAMETERS'
        $text | Should -Match 'Example 1:'
        foreach ($name in $parameterNames) { $text | Should -Match "-$name\b" }
    }
}

Describe 'Help content follows the code' {
    It 'shows the defaults the cmdlet classes hold' {
        (Get-Help Start-BurrowTorNetwork -Parameter Name).defaultValue | Should -Be 'burrow'
        (Get-Help Test-BurrowRedirect -Parameter Destination).defaultValue | Should -Be '198.51.100.7:443'
        (Get-Help Test-BurrowRedirect -Parameter TimeoutSec).defaultValue | Should -Be '5'
        (Get-Help Start-BurrowTorNetwork -Parameter Wait).defaultValue | Should -Be 'False'
    }

    It 'shows the accepted flow states in the syntax' {
        $text = Get-Help Get-BurrowFlow | Out-String -Width 300
        $text | Should -Match '-State \{Connecting \| Open \| Closed \| Refused \| Failed\}'
    }

    It 'names every error id the cmdlets raise' {
        $notes = @{}
        foreach ($n in 'Start-BurrowTorNetwork', 'Test-BurrowRedirect', 'Stop-BurrowTorNetwork', 'Get-BurrowFlow', 'Get-BurrowTorNetwork', 'Get-BurrowTorClient', 'Get-BurrowCircuit', 'New-BurrowTorIdentity', 'Stop-BurrowFlow') {
            $notes[$n] = (Get-Help $n -Full).alertSet.alert.Text -join "`n"
        }
        foreach ($id in 'PayloadInvalid', 'PayloadTypeInvalid', 'PayloadFileUnreadable', 'PlatformNotSupported', 'NetworkAlreadyRunning', 'NetworkStartFailed') {
            $notes['Start-BurrowTorNetwork'] | Should -Match "\b$id\b"
        }
        foreach ($id in 'DestinationInvalid', 'NetworkNotFound', 'NetworkNotRunning', 'NetworkAmbiguous', 'NetworkNotReady') {
            $notes['Test-BurrowRedirect'] | Should -Match "\b$id\b"
        }
        foreach ($n in 'Stop-BurrowTorNetwork', 'Get-BurrowFlow', 'Get-BurrowTorNetwork', 'Get-BurrowTorClient', 'Get-BurrowCircuit', 'New-BurrowTorIdentity', 'Stop-BurrowFlow') { $notes[$n] | Should -Match '\bNetworkNotFound\b' }
        foreach ($n in 'Get-BurrowTorClient', 'Get-BurrowCircuit', 'New-BurrowTorIdentity') { $notes[$n] | Should -Match '\bTorClientNotInProcess\b' }
        foreach ($id in 'FlowHasNoCircuit', 'CircuitClosed') { $notes['Get-BurrowCircuit'] | Should -Match "\b$id\b" }
        $notes['Stop-BurrowFlow'] | Should -Match '\bFlowNotLive\b'
        foreach ($id in 'NetworkNotRunning', 'NetworkAmbiguous') { $notes['Stop-BurrowTorNetwork'] | Should -Match "\b$id\b" }
    }

    It 'carries the CI provisioning check and the loop-avoiding nft rule' {
        (Get-Help Test-BurrowRedirect -Examples | Out-String -Width 300) | Should -Match ([regex]::Escape('(Test-BurrowRedirect -Name ci).Redirected | Should -BeTrue'))
        (Get-Help Start-BurrowTorNetwork -Examples | Out-String -Width 300) | Should -Match 'meta skuid != "debian-tor"'
    }
}

Describe 'about_Burrow' {
    BeforeAll {
        $topic = Get-Help about_Burrow | Out-String -Width 200
        $lines = Get-Content (Join-Path $helpDir 'about_Burrow.help.txt')
    }

    It 'is found by Get-Help' {
        $topic | Should -Match 'TOPIC\s+about_Burrow'
    }

    It 'has the classic about-topic sections' {
        foreach ($heading in 'SHORT DESCRIPTION', 'LONG DESCRIPTION', 'REDIRECT RULES ON LINUX', 'SAFETY', 'TROUBLESHOOTING', 'SEE ALSO') {
            $lines | Should -Contain $heading
        }
    }

    It 'covers redirect rules, loop avoidance, macOS and the payload reference' {
        foreach ($text in 'hook output', 'hook prerouting', 'meta skuid != "debian-tor"', 'docs/macos.md', 'docs/payload.md', 'Test-BurrowRedirect', 'JobStateInfo.Reason', 'already in use', 'conntrack') {
            $topic | Should -Match ([regex]::Escape($text))
        }
    }

    It 'keeps prose within 80 columns' {
        # Code (indented 8) is kept as written; prose is wrapped.
        $lines | Where-Object { $_.Length -gt 80 -and $_ -notmatch '^ {8}' } | Should -BeNullOrEmpty
    }
}

Describe 'The MAML file' {
    BeforeAll {
        $path = Join-Path $helpDir 'Burrow.dll-Help.xml'
    }

    It 'is well-formed with one command per exported cmdlet' {
        $xml = [xml](Get-Content $path -Raw)
        $xml.helpItems.schema | Should -Be 'maml'
        @($xml.helpItems.command.details.name) | Should -Be @((Get-Command -Module Burrow -CommandType Cmdlet | Sort-Object Name).Name)
    }

    It 'is valid against PowerShell''s MAML schema (developerCommand.xsd)' {
        # The schemas name each other in mixed case (maml.xsd for Maml.xsd): copy them under both names.
        $schemaDir = Join-Path $TestDrive 'PSMaml'
        $null = New-Item -ItemType Directory $schemaDir
        foreach ($f in Get-ChildItem (Join-Path $PSHOME 'Schemas/PSMaml') -Filter *.xsd) {
            Copy-Item $f.FullName (Join-Path $schemaDir $f.Name)
            if ($f.Name -cne $f.Name.ToLowerInvariant()) { Copy-Item $f.FullName (Join-Path $schemaDir $f.Name.ToLowerInvariant()) }
        }
        $set = [System.Xml.Schema.XmlSchemaSet]::new()
        $set.XmlResolver = [System.Xml.XmlUrlResolver]::new()
        $null = $set.Add('http://schemas.microsoft.com/maml/dev/command/2004/10', (Join-Path $schemaDir 'developerCommand.xsd'))
        $set.Compile()
        $doc = [xml](Get-Content $path -Raw)
        $ns = [System.Xml.XmlNamespaceManager]::new($doc.NameTable)
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $problems = [System.Collections.Generic.List[string]]::new()
        foreach ($c in $doc.SelectNodes('/*/command:command', $ns)) {
            $one = [System.Xml.XmlDocument]::new()
            $null = $one.AppendChild($one.ImportNode($c, $true))
            $one.Schemas = $set
            $one.Validate({
                param($sender, $e)
                # aliases="..." on parameters is PowerShell's addition (Get-Help shows it), not in the schema.
                if ($e.Message -notmatch "The 'aliases' attribute is not declared") { $problems.Add("$($c.details.name): $($e.Message)") }
            })
        }
        $problems | Should -BeNullOrEmpty
    }
}

Describe 'build/New-BurrowHelp.ps1' {
    It 'fails, naming file and parameter, when the sources and the code disagree' {
        $sources = Join-Path $TestDrive 'help'
        Copy-Item (Join-Path $RepoRoot 'docs/help') $sources -Recurse
        $file = Join-Path $sources 'Test-BurrowRedirect.md'
        # Drop -TimeoutSec's section and document a parameter that does not exist.
        $text = (Get-Content $file -Raw) -replace '(?s)### -TimeoutSec.*?(?=## Inputs)', "### -Retries`n`nHow often to try.`n`n"
        Set-Content $file $text
        Push-Location $RepoRoot
        try {
            $out = & dotnet pwsh -NoProfile -NonInteractive -File build/New-BurrowHelp.ps1 -SourcePath $sources -OutputPath (Join-Path $TestDrive 'out') 2>&1 | Out-String
            $code = $LASTEXITCODE
        } finally { Pop-Location }
        $code | Should -Be 1
        $out | Should -Match 'Test-BurrowRedirect\.md.*-TimeoutSec is a parameter of Test-BurrowRedirect but is not documented'
        $out | Should -Match 'Test-BurrowRedirect\.md:\d+: -Retries is documented but Test-BurrowRedirect has no such parameter'
        Join-Path $TestDrive 'out' | Should -Not -Exist
    }
}
