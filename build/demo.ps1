# The demo's PowerShell part: what an admin would type.
param([Parameter(Mandatory)][string] $NetworkJson)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot -Parent
$tn = Get-Content $NetworkJson -Raw | ConvertFrom-Json
$http = $tn.http

Import-Module (Join-Path $root 'output/Burrow/Burrow.psd1')
$state = Join-Path (Split-Path $NetworkJson -Parent) 'burrow-state'
$cache = Join-Path (Split-Path $NetworkJson -Parent) 'burrow-cache'
Remove-Item -Recurse -Force $state, $cache -ErrorAction SilentlyContinue
$authorityLines = ($tn.dirAuthorityLines | ForEach-Object { "  `"$_`"," }) -join "`n"
$payload = @"
[tcp_stack]
kind = "system"
listen = "127.0.0.1:9040"

[arti]                         # the built-in Tor client (the default upstream)
state_dir = "$state"
cache_dir = "$cache"

[arti.tor_network]             # the private network's authorities, as C tor DirAuthority lines
dir_authorities = [
$authorityLines
]

[arti.path_rules]              # every relay is on 127.0.0.1: no /16 family rule
ipv4_subnet_family_prefix = 33
"@
Write-Host "`n== Start-BurrowTorNetwork -Name demo   (in-process Tor client, empty cache: cold bootstrap)" -ForegroundColor Cyan
Write-Host $payload
$job = Start-BurrowTorNetwork -Name demo -Payload $payload
$job | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
$watch = [Diagnostics.Stopwatch]::StartNew()
$last = ''
while ((Get-BurrowTorNetwork demo -ErrorAction SilentlyContinue).State -ne 'Running') {
    if ($job.State -eq 'Failed') { throw $job.JobStateInfo.Reason }
    foreach ($p in $job.Progress.ReadAll()) {
        if ($p.StatusDescription -ne $last) { Write-Host ("  [{0,5:N1}s] {1}: {2}" -f $watch.Elapsed.TotalSeconds, $p.Activity, $p.StatusDescription); $last = $p.StatusDescription }
    }
    Start-Sleep -Milliseconds 50
}
Write-Host ("  bootstrapped and listening after {0:N1} s" -f $watch.Elapsed.TotalSeconds)
Get-BurrowTorNetwork demo | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

Write-Host "== Redirect outbound TCP to $($http.address):$($http.port) and to 198.51.100.7:443 into Burrow (nft, this namespace only; the relays' own user exempt)" -ForegroundColor Cyan
$rules = @"
table ip burrow_demo {
  chain out {
    type nat hook output priority -100; policy accept;
    meta skuid != $($tn.torUid) ip daddr $($http.address) tcp dport $($http.port) counter redirect to :9040
    ip daddr 198.51.100.7 tcp dport 443 counter redirect to :9040
  }
}
"@
$rules | nft -f -
try {
    Write-Host "`n== Test-BurrowRedirect -Name demo" -ForegroundColor Cyan
    Test-BurrowRedirect -Name demo | Format-Table -AutoSize | Out-String -Width 200 | Write-Host

    Write-Host "== curl $($http.largeUrl)  (an ordinary client: it knows nothing of Tor; no C tor client is involved)" -ForegroundColor Cyan
    $out = [IO.Path]::GetTempFileName()
    $took = Measure-Command { curl -sS --max-time 300 -o $out $http.largeUrl }
    if ($LASTEXITCODE -ne 0) { throw "curl failed ($LASTEXITCODE)" }
    $hash = (Get-FileHash $out -Algorithm SHA256).Hash.ToLowerInvariant()
    $mb = (Get-Item $out).Length / 1MB
    Write-Host ("{0:N1} MB in {1:N1} s ({2:N1} MB/s), SHA-256 {3}" -f $mb, $took.TotalSeconds, ($mb / $took.TotalSeconds), $hash)
    if ($hash -ne $http.largeSha256.ToLowerInvariant()) { throw "checksum mismatch: expected $($http.largeSha256)" }
    Write-Host "checksum matches the server's file" -ForegroundColor Green
    Remove-Item $out
    curl -sS --max-time 60 -o /dev/null $http.smallUrl

    Write-Host "`n== Get-BurrowFlow -Name demo" -ForegroundColor Cyan
    Get-BurrowFlow -Name demo | Format-Table -AutoSize | Out-String -Width 200 | Write-Host
} finally {
    nft delete table ip burrow_demo
    Write-Host "== Stop-BurrowTorNetwork -Name demo" -ForegroundColor Cyan
    Stop-BurrowTorNetwork -Name demo
    Receive-Job $job -Verbose 4>&1 | Select-Object -Last 4 | ForEach-Object { "  $_" } | Out-Host
    Remove-Job $job
}
Write-Host "Demo complete." -ForegroundColor Green
