<#
.SYNOPSIS
Builds the module's help from docs/help: Burrow.dll-Help.xml (MAML, for Get-Help <cmdlet>) and one
about_*.help.txt per about_*.md, into <ModulePath>/en-US.

.DESCRIPTION
Each cmdlet has a source file docs/help/<Verb-Noun>.md in a fixed layout (see docs/help/README.md):
synopsis, description, one '### -Parameter' description per parameter, inputs, outputs, notes,
examples, related links. Everything the code knows is taken from the built module, never from the
sources: syntax (from Get-Command's parameter sets), parameter types, mandatory, position,
pipeline input, wildcard support, aliases and default values (read from a fresh instance of the
cmdlet class). The build fails, naming the file and line, when a source and the code disagree: a
cmdlet without a source, a parameter documented that does not exist or one that exists and is
not documented, an output type the cmdlet declares but the source does not describe, fewer than
two examples. Prints nothing on success.
#>
[CmdletBinding()]
param(
    # The laid-out module folder (holds Burrow.psd1 and Burrow.dll).
    [string] $ModulePath = (Join-Path (Split-Path $PSScriptRoot -Parent) 'output/Burrow'),
    # The help sources.
    [string] $SourcePath = (Join-Path (Split-Path $PSScriptRoot -Parent) 'docs/help'),
    [string] $Culture = 'en-US',
    # Where the help files go. Default: <ModulePath>/<Culture>, where Get-Help looks for them.
    [string] $OutputPath
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:Problems = [System.Collections.Generic.List[string]]::new()
function Add-Problem([string] $Where, [string] $What) { $script:Problems.Add("${Where}: $What") }

# ---------------------------------------------------------------------------------------------
# Markdown subset: '#'..'###' headings, paragraphs, '- ' and '1. ' list items, ``` fences.
# ---------------------------------------------------------------------------------------------

# Splits a file into headed sections: each has Level, Title, Line and Body (lines up to the next
# heading of any level). Headings inside fences are text.
function Split-Sections([string] $File) {
    $lines = [System.IO.File]::ReadAllLines($File)
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Level = 0; Title = ''; Line = 0; Body = [System.Collections.Generic.List[object]]::new() }
    $inFence = $false
    for ($i = 0; $i -lt $lines.Length; $i++) {
        $line = $lines[$i]
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line -match '^(#{1,3})\s+(.+?)\s*$') {
            $sections.Add($current)
            $current = [pscustomobject]@{ Level = $Matches[1].Length; Title = $Matches[2]; Line = $i + 1; Body = [System.Collections.Generic.List[object]]::new() }
            continue
        }
        $current.Body.Add([pscustomobject]@{ Text = $line; Line = $i + 1 })
    }
    if ($inFence) { Add-Problem $File 'a ``` fence is not closed' }
    $sections.Add($current)
    $sections
}

# Blocks of a section body: Para (text joined), Item (list item, Marker and text), Code (verbatim lines).
function ConvertTo-Blocks($Body) {
    $blocks = [System.Collections.Generic.List[object]]::new()
    $para = $null
    $code = $null
    foreach ($l in $Body) {
        $t = $l.Text
        if ($null -ne $code) {
            if ($t -match '^\s*```\s*$') { $blocks.Add($code); $code = $null }
            else { $code.Lines.Add($t.TrimEnd()) }
            continue
        }
        if ($t -match '^\s*```(\S*)') {
            if ($para) { $blocks.Add($para); $para = $null }
            $code = [pscustomobject]@{ Kind = 'Code'; Language = $Matches[1]; Lines = [System.Collections.Generic.List[string]]::new(); Line = $l.Line }
            continue
        }
        if ($t -match '^\s*$') {
            if ($para) { $blocks.Add($para); $para = $null }
            continue
        }
        if ($t -match '^(-|\d+\.)\s+(.*)$') {
            if ($para) { $blocks.Add($para) }
            $para = [pscustomobject]@{ Kind = 'Item'; Marker = $Matches[1]; Text = $Matches[2].Trim(); Line = $l.Line }
            continue
        }
        if ($para) { $para.Text += ' ' + $t.Trim() }
        else { $para = [pscustomobject]@{ Kind = 'Para'; Marker = ''; Text = $t.Trim(); Line = $l.Line } }
    }
    if ($para) { $blocks.Add($para) }
    if ($null -ne $code) { $blocks.Add($code) }
    , $blocks
}

# Inline Markdown to plain text: `code`, **bold**, *emphasis*, [text](uri).
function ConvertTo-PlainText([string] $Text) {
    $t = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)\s]+)\)', { param($m) if ($m.Groups[1].Value -eq $m.Groups[2].Value) { $m.Groups[2].Value } else { "$($m.Groups[1].Value) ($($m.Groups[2].Value))" } })
    $t = [regex]::Replace($t, '`([^`]+)`', '$1')
    $t = [regex]::Replace($t, '\*\*([^*]+)\*\*', '$1')
    $t
}

# The text of a block as one MAML paragraph.
function Get-BlockText($Block) {
    switch ($Block.Kind) {
        'Code' { $Block.Lines -join "`n" }
        'Item' { "$($Block.Marker) $(ConvertTo-PlainText $Block.Text)" }
        default { ConvertTo-PlainText $Block.Text }
    }
}

# ---------------------------------------------------------------------------------------------
# Cmdlet help source -> model
# ---------------------------------------------------------------------------------------------

function Read-CommandSource([string] $File, [string] $CommandName) {
    $model = [ordered]@{
        File = $File; Name = $CommandName; Synopsis = $null; Description = $null
        Parameters = [ordered]@{}; Inputs = [System.Collections.Generic.List[object]]::new()
        Outputs = [System.Collections.Generic.List[object]]::new(); Notes = $null
        Examples = [System.Collections.Generic.List[object]]::new(); Links = [System.Collections.Generic.List[object]]::new()
    }
    $sections = Split-Sections $File
    $h2 = $null
    foreach ($s in $sections) {
        $where = "${File}:$($s.Line)"
        $blocks = ConvertTo-Blocks $s.Body
        switch ($s.Level) {
            0 { if ($blocks.Count) { Add-Problem "${File}:1" 'text before the first heading' } }
            1 { if ($s.Title -ne $CommandName) { Add-Problem $where "the title is '$($s.Title)', expected '$CommandName'" } }
            2 {
                $h2 = $s.Title
                switch ($h2) {
                    'Synopsis' { $model.Synopsis = $blocks }
                    'Description' { $model.Description = $blocks }
                    'Notes' { $model.Notes = $blocks }
                    'Related links' {
                        foreach ($b in $blocks) {
                            if ($b.Kind -ne 'Item') { Add-Problem "${File}:$($b.Line)" 'related links are list items'; continue }
                            if ($b.Text -match '^\[([^\]]+)\]\(([^)\s]+)\)$') { $model.Links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] }) }
                            else { $model.Links.Add([pscustomobject]@{ Text = $b.Text; Uri = '' }) }
                        }
                    }
                    { $_ -in 'Parameters', 'Inputs', 'Outputs', 'Examples' } { if ($blocks.Count) { Add-Problem $where "text under '## $h2' belongs under a '###' heading" } }
                    default { Add-Problem $where "unknown section '## $h2'; known: Synopsis, Description, Parameters, Inputs, Outputs, Notes, Examples, Related links" }
                }
            }
            3 {
                switch ($h2) {
                    'Parameters' {
                        if ($s.Title -notmatch '^-(\w+)$') { Add-Problem $where "a parameter heading is '### -Name', found '### $($s.Title)'"; break }
                        $name = $Matches[1]
                        # 'Default value: ...' describes a default the code cannot show (a null that means something).
                        $default = $null
                        $rest = [System.Collections.Generic.List[object]]::new()
                        foreach ($b in $blocks) {
                            if ($b.Kind -eq 'Para' -and $b.Text -match '^Default value:\s*(.+)$') { $default = ConvertTo-PlainText $Matches[1] }
                            else { $rest.Add($b) }
                        }
                        if ($model.Parameters.Contains($name)) { Add-Problem $where "-$name is documented twice" }
                        $model.Parameters[$name] = [pscustomobject]@{ Name = $name; Blocks = $rest; Default = $default; Line = $s.Line }
                    }
                    { $_ -in 'Inputs', 'Outputs' } {
                        $model[$h2].Add([pscustomobject]@{ Type = $s.Title; Blocks = $blocks; Line = $s.Line })
                    }
                    'Examples' {
                        $codeBlock = $blocks | Where-Object Kind -eq 'Code' | Select-Object -First 1
                        if (-not $codeBlock) { Add-Problem $where "example '$($s.Title)' has no code block"; break }
                        $index = $blocks.IndexOf($codeBlock)
                        if ($index -ne 0) { Add-Problem $where "example '$($s.Title)': the code block comes first, remarks after it" }
                        $remarks = @($blocks | Select-Object -Skip ($index + 1))
                        $model.Examples.Add([pscustomobject]@{ Title = $s.Title; Code = ($codeBlock.Lines -join "`n"); Remarks = $remarks; Line = $s.Line })
                    }
                    default { Add-Problem $where "'### $($s.Title)' is not under Parameters, Inputs, Outputs or Examples" }
                }
            }
        }
    }
    if (-not $model.Synopsis) { Add-Problem $File 'no synopsis (## Synopsis)' }
    if (-not $model.Description) { Add-Problem $File 'no description (## Description)' }
    if ($model.Examples.Count -lt 2) { Add-Problem $File "$($model.Examples.Count) examples; at least 2 are expected" }
    if ($model.Outputs.Count -eq 0) { Add-Problem $File 'no outputs (## Outputs, a ### heading per type or ### None)' }
    if ($model.Inputs.Count -eq 0) { Add-Problem $File 'no inputs (## Inputs, a ### heading per type or ### None)' }
    [pscustomobject]$model
}

# ---------------------------------------------------------------------------------------------
# Facts from the code
# ---------------------------------------------------------------------------------------------

$script:Common = [System.Collections.Generic.HashSet[string]]::new([string[]][System.Management.Automation.Cmdlet]::CommonParameters, [StringComparer]::OrdinalIgnoreCase)

function Get-ShortTypeName([type] $Type) {
    if ($Type.IsArray) { return (Get-ShortTypeName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType -and $Type.GetGenericTypeDefinition() -eq [Nullable`1]) { return Get-ShortTypeName $Type.GetGenericArguments()[0] }
    $Type.Name
}

function Get-FullTypeName([type] $Type) {
    if ($Type.IsArray) { return (Get-FullTypeName $Type.GetElementType()) + '[]' }
    $Type.FullName
}

# What a fresh cmdlet object holds before binding: the code's own defaults.
function Get-CodeDefault($Instance, [string] $Name) {
    if ($Name -in 'WhatIf', 'Confirm') { return 'False' }
    $property = $Instance.GetType().GetProperty($Name)
    if (-not $property) { return $null }
    $value = $property.GetValue($Instance)
    if ($value -is [System.Management.Automation.SwitchParameter]) { return [string]$value.IsPresent }
    if ($null -eq $value -or ($value -is [string] -and $value -eq '') -or ($value -is [array] -and $value.Count -eq 0)) { return $null }
    if ($value -is [array]) { return ($value | ForEach-Object { [string]$_ }) -join ', ' }
    [string]$value
}

# Per-parameter facts across all parameter sets, and the syntax (one entry per set).
function Get-CommandFacts([System.Management.Automation.CommandInfo] $Command) {
    $instance = [Activator]::CreateInstance($Command.ImplementingType)
    $params = [ordered]@{}
    foreach ($set in $Command.ParameterSets) {
        foreach ($p in $set.Parameters) {
            if ($script:Common.Contains($p.Name)) { continue }
            if (-not $params.Contains($p.Name)) {
                $meta = $Command.Parameters[$p.Name]
                $params[$p.Name] = [pscustomobject]@{
                    Name = $p.Name; Type = $p.ParameterType
                    MandatoryIn = [System.Collections.Generic.List[bool]]::new(); Positions = [System.Collections.Generic.List[int]]::new()
                    ByValue = $false; ByPropertyName = $false
                    Globbing = [bool]($meta.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                    Aliases = @($p.Aliases)
                    Default = Get-CodeDefault $instance $p.Name
                    IsSwitch = $p.ParameterType -eq [System.Management.Automation.SwitchParameter]
                }
            }
            $f = $params[$p.Name]
            $f.MandatoryIn.Add($p.IsMandatory)
            $f.Positions.Add($p.Position)
            $f.ByValue = $f.ByValue -or $p.ValueFromPipeline
            $f.ByPropertyName = $f.ByPropertyName -or $p.ValueFromPipelineByPropertyName
        }
    }
    $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault }, { $Command.ParameterSets.IndexOf($_) })
    $syntax = [System.Collections.Generic.List[object]]::new()
    foreach ($set in $sets) {
        $own = @($set.Parameters | Where-Object { -not $script:Common.Contains($_.Name) })
        $ordered = @($own | Where-Object Position -ge 0 | Sort-Object Position) +
                   @($own | Where-Object { $_.Position -lt 0 -and $_.IsMandatory }) +
                   @($own | Where-Object { $_.Position -lt 0 -and -not $_.IsMandatory -and $_.Name -notin 'WhatIf', 'Confirm' }) +
                   @($own | Where-Object { $_.Name -in 'WhatIf', 'Confirm' })
        $syntax.Add($ordered)
    }
    [pscustomobject]@{ Parameters = $params; Syntax = $syntax }
}

function Get-PipelineText($Fact) {
    $ways = @()
    if ($Fact.ByValue) { $ways += 'ByValue' }
    if ($Fact.ByPropertyName) { $ways += 'ByPropertyName' }
    if ($ways) { "True ($($ways -join ', '))" } else { 'False' }
}

# ---------------------------------------------------------------------------------------------
# MAML
# ---------------------------------------------------------------------------------------------

$ns = @{
    maml = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Write-Paras([System.Xml.XmlWriter] $W, $Blocks) {
    $any = $false
    foreach ($b in $Blocks) { $W.WriteElementString('maml', 'para', $ns.maml, (Get-BlockText $b)); $any = $true }
    if (-not $any) { $W.WriteElementString('maml', 'para', $ns.maml, '') }
}

function Write-Description([System.Xml.XmlWriter] $W, $Blocks) {
    $W.WriteStartElement('maml', 'description', $ns.maml)
    Write-Paras $W $Blocks
    $W.WriteEndElement()
}

function Write-Type([System.Xml.XmlWriter] $W, [string] $Name) {
    $W.WriteStartElement('dev', 'type', $ns.dev)
    $W.WriteElementString('maml', 'name', $ns.maml, $Name)
    $W.WriteElementString('maml', 'uri', $ns.maml, '')
    $W.WriteEndElement()
}

function Write-ParameterStart([System.Xml.XmlWriter] $W, $Fact, [bool] $Required, [string] $Position, [string] $Pipeline) {
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', $Required.ToString().ToLowerInvariant())
    $W.WriteAttributeString('variableLength', $Fact.Type.IsArray.ToString().ToLowerInvariant())
    $W.WriteAttributeString('globbing', $Fact.Globbing.ToString().ToLowerInvariant())
    $W.WriteAttributeString('pipelineInput', $Pipeline)
    $W.WriteAttributeString('position', $Position)
    $W.WriteAttributeString('aliases', $(if ($Fact.Aliases) { $Fact.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $ns.maml, $Fact.Name)
}

function Write-ParameterValue([System.Xml.XmlWriter] $W, $Fact) {
    if ($Fact.IsSwitch) { return }
    $W.WriteStartElement('command', 'parameterValue', $ns.command)
    $W.WriteAttributeString('required', 'true')
    $W.WriteAttributeString('variableLength', $Fact.Type.IsArray.ToString().ToLowerInvariant())
    $W.WriteString((Get-ShortTypeName $Fact.Type))
    $W.WriteEndElement()
}

function Write-CommandHelp([System.Xml.XmlWriter] $W, [System.Management.Automation.CmdletInfo] $Command, $Source, $Facts) {
    $W.WriteStartElement('command', 'command', $ns.command)
    $W.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $W.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

    $W.WriteStartElement('command', 'details', $ns.command)
    $W.WriteElementString('command', 'name', $ns.command, $Command.Name)
    Write-Description $W $Source.Synopsis
    $W.WriteStartElement('maml', 'copyright', $ns.maml); $W.WriteElementString('maml', 'para', $ns.maml, ''); $W.WriteEndElement()
    $W.WriteElementString('command', 'verb', $ns.command, $Command.Verb)
    $W.WriteElementString('command', 'noun', $ns.command, $Command.Noun)
    $W.WriteElementString('dev', 'version', $ns.dev, '')
    $W.WriteEndElement()

    Write-Description $W $Source.Description

    $W.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $Facts.Syntax) {
        $W.WriteStartElement('command', 'syntaxItem', $ns.command)
        $W.WriteElementString('maml', 'name', $ns.maml, $Command.Name)
        foreach ($p in $set) {
            $fact = $Facts.Parameters[$p.Name]
            $pipeline = if ($p.ValueFromPipeline -or $p.ValueFromPipelineByPropertyName) {
                'True (' + ((@(if ($p.ValueFromPipeline) { 'ByValue' }) + @(if ($p.ValueFromPipelineByPropertyName) { 'ByPropertyName' })) -join ', ') + ')'
            } else { 'False' }
            Write-ParameterStart $W $fact $p.IsMandatory $(if ($p.Position -ge 0) { [string]$p.Position } else { 'named' }) $pipeline
            $doc = $Source.Parameters[$p.Name]
            Write-Description $W $(if ($doc) { $doc.Blocks } else { @() })
            $element = if ($fact.Type.IsArray) { $fact.Type.GetElementType() } else { $fact.Type }
            if ($element.IsEnum) {
                # Shown as -State {Connecting | Open | ...} in the syntax.
                $W.WriteStartElement('command', 'parameterValueGroup', $ns.command)
                foreach ($v in [enum]::GetNames($element)) {
                    $W.WriteStartElement('command', 'parameterValue', $ns.command)
                    $W.WriteAttributeString('required', 'false')
                    $W.WriteAttributeString('variableLength', 'false')
                    $W.WriteString($v)
                    $W.WriteEndElement()
                }
                $W.WriteEndElement()
            } else {
                Write-ParameterValue $W $fact
            }
            Write-Type $W (Get-FullTypeName $fact.Type)
            $W.WriteElementString('dev', 'defaultValue', $ns.dev, $(if ($fact.Default) { $fact.Default } else { 'None' }))
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($doc in $Source.Parameters.Values) {
        $fact = $Facts.Parameters[$doc.Name]
        if (-not $fact) { continue }
        $required = -not ($fact.MandatoryIn -contains $false)
        $positions = @($fact.Positions | Select-Object -Unique)
        $position = if ($positions[0] -ge 0) { [string]$positions[0] } else { 'named' }
        Write-ParameterStart $W $fact $required $position (Get-PipelineText $fact)
        Write-Description $W $doc.Blocks
        Write-ParameterValue $W $fact
        Write-Type $W (Get-FullTypeName $fact.Type)
        $default = if ($fact.Default) { $fact.Default } elseif ($doc.Default) { $doc.Default } else { 'None' }
        $W.WriteElementString('dev', 'defaultValue', $ns.dev, $default)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', 'Inputs'), @('returnValues', 'returnValue', 'Outputs'))) {
        $W.WriteStartElement('command', $kind[0], $ns.command)
        foreach ($t in $Source.($kind[2])) {
            $W.WriteStartElement('command', $kind[1], $ns.command)
            Write-Type $W $t.Type
            Write-Description $W $t.Blocks
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }

    # Required by the MAML schema; Get-Help does not show them (error ids are in the notes).
    $W.WriteElementString('command', 'terminatingErrors', $ns.command, '')
    $W.WriteElementString('command', 'nonTerminatingErrors', $ns.command, '')

    if ($Source.Notes) {
        $W.WriteStartElement('maml', 'alertSet', $ns.maml)
        $W.WriteStartElement('maml', 'alert', $ns.maml)
        Write-Paras $W $Source.Notes
        $W.WriteEndElement()
        $W.WriteEndElement()
    }

    $W.WriteStartElement('command', 'examples', $ns.command)
    foreach ($e in $Source.Examples) {
        $W.WriteStartElement('command', 'example', $ns.command)
        $W.WriteElementString('maml', 'title', $ns.maml, "---------- $($e.Title) ----------")
        $W.WriteElementString('dev', 'code', $ns.dev, $e.Code)
        $W.WriteStartElement('dev', 'remarks', $ns.dev)
        Write-Paras $W $e.Remarks
        # An empty paragraph: a blank line before the next example's title.
        $W.WriteElementString('maml', 'para', $ns.maml, '')
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('maml', 'relatedLinks', $ns.maml)
    foreach ($l in $Source.Links) {
        $W.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $W.WriteElementString('maml', 'linkText', $ns.maml, $l.Text)
        $W.WriteElementString('maml', 'uri', $ns.maml, $l.Uri)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement()
}

# Source and code must describe the same parameters and outputs.
function Test-SourceAgainstCode($Source, $Facts, [System.Management.Automation.CmdletInfo] $Command) {
    foreach ($name in $Facts.Parameters.Keys) {
        if (-not $Source.Parameters.Contains($name)) { Add-Problem $Source.File "-$name is a parameter of $($Command.Name) but is not documented (add '### -$name' under '## Parameters')" }
        elseif (-not $Source.Parameters[$name].Blocks.Count) { Add-Problem "$($Source.File):$($Source.Parameters[$name].Line)" "-$name has no description" }
    }
    foreach ($doc in $Source.Parameters.Values) {
        if (-not $Facts.Parameters.Contains($doc.Name)) { Add-Problem "$($Source.File):$($doc.Line)" "-$($doc.Name) is documented but $($Command.Name) has no such parameter; it has: $(($Facts.Parameters.Keys | ForEach-Object { "-$_" }) -join ', ')" }
        elseif ($doc.Default -and $Facts.Parameters[$doc.Name].Default) { Add-Problem "$($Source.File):$($doc.Line)" "-$($doc.Name): 'Default value:' is for defaults the code cannot show; the code's default is '$($Facts.Parameters[$doc.Name].Default)'" }
    }
    $described = @($Source.Outputs | ForEach-Object Type)
    foreach ($t in $Command.OutputType) {
        if ($t.Name -notin $described) { Add-Problem $Source.File "$($Command.Name) declares the output type $($t.Name) but '## Outputs' does not describe it" }
    }
}

# ---------------------------------------------------------------------------------------------
# about topics: Markdown subset -> the classic about_*.help.txt layout (80 columns)
# ---------------------------------------------------------------------------------------------

function Format-Wrapped([string] $Text, [int] $Indent, [int] $Hanging = $Indent, [int] $Width = 80) {
    $out = [System.Collections.Generic.List[string]]::new()
    $line = ''
    $pad = ' ' * $Indent
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if ($line -and ($pad.Length + $line.Length + 1 + $word.Length) -gt $Width) {
            $out.Add($pad + $line)
            $pad = ' ' * $Hanging
            $line = $word
        } else {
            $line = if ($line) { "$line $word" } else { $word }
        }
    }
    if ($line) { $out.Add($pad + $line) }
    $out
}

function ConvertTo-AboutText([string] $File) {
    $name = [System.IO.Path]::GetFileNameWithoutExtension($File)
    $sections = Split-Sections $File
    $out = [System.Collections.Generic.List[string]]::new()
    $seen = @()
    foreach ($s in $sections) {
        $where = "${File}:$($s.Line)"
        $blocks = ConvertTo-Blocks $s.Body
        switch ($s.Level) {
            0 { if ($blocks.Count) { Add-Problem "${File}:1" 'text before the first heading' }; continue }
            1 {
                if ($s.Title -ne $name) { Add-Problem $where "the title is '$($s.Title)', expected '$name'" }
                $out.Add('TOPIC'); $out.Add("    $name")
                continue
            }
            2 { $seen += $s.Title; $out.Add(''); $out.Add($s.Title.ToUpperInvariant()) }
            3 { $out.Add(''); $out.Add("    $($s.Title)"); $out.Add('    ' + ('-' * $s.Title.Length)) }
        }
        $seeAlso = $s.Level -eq 2 -and $s.Title -eq 'See also'
        $previous = $null
        foreach ($b in $blocks) {
            # A blank line between blocks, none between the items of one list; the See also list
            # is plain lines under its heading.
            $sameList = $previous -and $previous.Kind -eq 'Item' -and $b.Kind -eq 'Item'
            if (-not $seeAlso -and -not $sameList -and ($previous -or $s.Level -eq 3)) { $out.Add('') }
            $previous = $b
            switch ($b.Kind) {
                'Code' { foreach ($l in $b.Lines) { $out.Add($(if ($l) { '        ' + $l } else { '' })) } }
                'Item' {
                    if ($seeAlso) { $out.Add('    ' + (ConvertTo-PlainText $b.Text)) }
                    else { foreach ($l in (Format-Wrapped "$($b.Marker) $(ConvertTo-PlainText $b.Text)" 4 (4 + $b.Marker.Length + 1))) { $out.Add($l) } }
                }
                default { foreach ($l in (Format-Wrapped (ConvertTo-PlainText $b.Text) 4)) { $out.Add($l) } }
            }
        }
    }
    foreach ($required in 'Short description', 'Long description', 'See also') {
        if ($required -notin $seen) { Add-Problem $File "no '## $required' section" }
    }
    ($out -join [Environment]::NewLine) + [Environment]::NewLine
}

# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

$manifest = Join-Path $ModulePath 'Burrow.psd1'
if (-not (Test-Path $manifest)) { throw "no module at $ModulePath (Burrow.psd1 missing): build it first" }
$manifest = (Resolve-Path $manifest).ProviderPath
$ModulePath = Split-Path $manifest -Parent
$SourcePath = (Resolve-Path $SourcePath).ProviderPath
$module = Import-Module $manifest -PassThru -Force
$commands = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name)
$targetDir = if ($OutputPath) { [System.IO.Path]::GetFullPath($OutputPath) } else { Join-Path $ModulePath $Culture }

# One MAML file per assembly; a binary module's cmdlets all come from its root assembly.
$assemblies = @($commands | ForEach-Object { [System.IO.Path]::GetFileName($_.DLL) } | Select-Object -Unique)
if ($assemblies.Count -ne 1) { throw "expected the cmdlets in one assembly, found: $($assemblies -join ', ')" }
$helpFile = Join-Path $targetDir "$($assemblies[0])-Help.xml"

$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; IndentChars = '  '; Encoding = [System.Text.UTF8Encoding]::new($false); NewLineChars = "`n" }
$buffer = [System.IO.MemoryStream]::new()
$w = [System.Xml.XmlWriter]::Create($buffer, $settings)
$w.WriteStartDocument()
$w.WriteStartElement('helpItems', 'http://msh')
$w.WriteAttributeString('schema', 'maml')
foreach ($command in $commands) {
    $file = Join-Path $SourcePath "$($command.Name).md"
    if (-not (Test-Path $file)) { Add-Problem $file "$($command.Name) has no help source"; continue }
    $source = Read-CommandSource $file $command.Name
    $facts = Get-CommandFacts $command
    Test-SourceAgainstCode $source $facts $command
    Write-CommandHelp $w $command $source $facts
}
foreach ($file in Get-ChildItem -Path $SourcePath -Filter '*-*.md') {
    if ($file.BaseName -notin $commands.Name) { Add-Problem $file.FullName "no exported cmdlet is named $($file.BaseName)" }
}
$w.WriteEndElement()
$w.WriteEndDocument()
$w.Flush()

$abouts = @{}
foreach ($file in Get-ChildItem -Path $SourcePath -Filter 'about_*.md') {
    $abouts[$file.BaseName] = ConvertTo-AboutText $file.FullName
}

if ($script:Problems.Count) {
    [Console]::Error.WriteLine("Help sources in $SourcePath do not match the module:")
    foreach ($p in $script:Problems) { [Console]::Error.WriteLine("  $p") }
    exit 1
}

$xmlText = [System.Text.Encoding]::UTF8.GetString($buffer.ToArray())
# Read back: the file must be well-formed XML with one command per cmdlet.
$check = [xml]$xmlText
$written = @($check.helpItems.command | ForEach-Object { $_.details.name })
if ($written.Count -ne $commands.Count) { throw "the help has $($written.Count) commands, the module $($commands.Count)" }
$null = New-Item -ItemType Directory -Force -Path $targetDir
[System.IO.File]::WriteAllText($helpFile, $xmlText, [System.Text.UTF8Encoding]::new($false))
foreach ($name in $abouts.Keys) {
    [System.IO.File]::WriteAllText((Join-Path $targetDir "$name.help.txt"), $abouts[$name], [System.Text.UTF8Encoding]::new($false))
}
