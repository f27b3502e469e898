// w3guard's own web-shell rules. Each rule carries w3guard metadata (id, title, severity, description)
// and is tested against a sample that must match and one that must not.
// Patterns are plain text where a regular expression is not needed, and ASCII only: both keep YARA
// fast on large web roots.
// Every rule asks for server-side code markers first ("<%", runat="server", "<?"), so JavaScript and HTML
// served to browsers do not match.

rule w3g_webshell_eval_request
{
  meta:
    id = "w3g-yara-webshell-eval-request"
    title = "Web shell: request data passed to eval"
    severity = "critical"
    description = "Server-side code hands request data (a form field, query value or header) straight to eval, with or without Base64 decoding first: the China Chopper family and its many copies."
    reference = "https://attack.mitre.org/techniques/T1505/003/"
  strings:
    $server1 = "<%"
    $server2 = "runat=\"server\"" nocase
    $eval = /eval\s*\(\s*(System\.Text\.Encoding\.(\w+|GetEncoding\s*\(\s*\d+\s*\))\.GetString\s*\(\s*)?(System\.)?(Convert\.FromBase64String\s*\(\s*)?(HttpContext\.Current\.|this\.)?Request\s*(\.\s*(Item|Form|QueryString|Params|Headers|Cookies)\s*)?[\[\(]/ nocase
  condition:
    filesize < 2MB and any of ($server*) and $eval
}

rule w3g_webshell_process_request
{
  meta:
    id = "w3g-yara-webshell-process-request"
    title = "Web shell: request data runs a command through Process.Start"
    severity = "critical"
    description = "A server page starts a command interpreter (cmd.exe, PowerShell) and reads request data: a command web shell. Pages that start a fixed program without request data do not match."
    reference = "https://attack.mitre.org/techniques/T1505/003/"
  strings:
    $server1 = "<%"
    $server2 = "runat=\"server\"" nocase
    $proc1 = /Process\s*\.\s*Start\s*\(/
    $proc2 = "ProcessStartInfo"
    $proc3 = /new\s+(System\.Diagnostics\.)?Process\s*\(\s*\)/
    $proc4 = /\.StartInfo\s*\.\s*(FileName|Arguments)/
    $req1 = /Request\s*(\.\s*(Item|Form|QueryString|Params|Headers|Cookies)\s*)?\[/
    $req2 = /Request\s*\.\s*(Item|Form|QueryString|Params)\s*\(/ nocase
    $req3 = /Request\s*\(\s*"/ nocase
    $req4 = /Request\s*\.\s*(InputStream|BinaryRead)/
    $shell1 = /cmd(\.exe)?["' ]/ nocase
    $shell2 = "powershell" nocase
    $shell3 = "\"/c " nocase
    $direct = /Process\s*\.\s*Start\s*\(\s*Request/
    $direct2 = /(FileName|Arguments)\s*=\s*[^;\n]{0,80}Request\s*(\.\s*(Item|Form|QueryString|Params)\s*)?[\[\(]/
  condition:
    filesize < 2MB and any of ($server*) and (any of ($direct*) or (any of ($proc*) and any of ($req*) and any of ($shell*)))
}

rule w3g_webshell_asp_execute_request
{
  meta:
    id = "w3g-yara-webshell-asp-execute-request"
    title = "Web shell: classic ASP executes request data"
    severity = "critical"
    description = "Classic ASP (VBScript) passes request data to Execute, ExecuteGlobal or Eval: the one-line ASP web shell."
    reference = "https://attack.mitre.org/techniques/T1505/003/"
  strings:
    $server = "<%"
    $exec = /(Execute|ExecuteGlobal|Eval)\s*\(?\s*Request\s*(\.\s*(Item|Form|QueryString)\s*)?\(/ nocase
  condition:
    filesize < 2MB and $server and $exec
}

rule w3g_webshell_php_request_exec
{
  meta:
    id = "w3g-yara-webshell-php-request-exec"
    title = "Web shell: PHP runs request data"
    severity = "critical"
    description = "PHP passes request data, possibly decoded, to eval, assert or a command function, or calls a function named by the request."
    reference = "https://attack.mitre.org/techniques/T1505/003/"
  strings:
    $php = "<?" ascii
    $exec = /(eval|assert|system|exec|shell_exec|passthru|popen|proc_open|create_function)\s*\(\s*((base64_decode|gzinflate|gzuncompress|str_rot13|stripslashes|urldecode|rawurldecode|trim)\s*\(\s*)*@?\$_(POST|GET|REQUEST|COOKIE|SERVER)\b/ nocase ascii
    $callable = /\$_(POST|GET|REQUEST|COOKIE)\s*\[[^\]]{1,40}\]\s*\(\s*@?\$_(POST|GET|REQUEST|COOKIE)/ ascii
  condition:
    filesize < 2MB and $php and ($exec or $callable)
}

rule w3g_webshell_assembly_load_request
{
  meta:
    id = "w3g-yara-webshell-assembly-load-request"
    title = "Web shell: page loads a .NET assembly sent in the request"
    severity = "critical"
    description = "A server page loads an assembly from bytes and reads the request body or a request value: how in-memory .NET web shells (Behinder, Godzilla and their kin) receive their code."
    reference = "https://attack.mitre.org/techniques/T1620/"
  strings:
    $server1 = "<%"
    $server2 = "runat=\"server\"" nocase
    $load = /Assembly\s*\.\s*Load\s*\(/
    $req1 = /Request\s*\.\s*(BinaryRead|InputStream|Form|Params|Item|QueryString|Cookies)/
    $req2 = /Request\s*\[/
  condition:
    filesize < 2MB and any of ($server*) and $load and any of ($req*)
}

rule w3g_webshell_reflection_request
{
  meta:
    id = "w3g-yara-webshell-reflection-request"
    title = "Web shell: request data decoded and invoked through reflection"
    severity = "high"
    description = "A server page decodes Base64 from the request and invokes code through reflection (InvokeMember, GetMethod, Activator.CreateInstance): obfuscated web shells hide their calls this way."
    reference = "https://attack.mitre.org/techniques/T1505/003/"
  strings:
    $server1 = "<%"
    $server2 = "runat=\"server\"" nocase
    $refl1 = /\.\s*(InvokeMember|GetMethod)\s*\(/
    $refl2 = /Activator\s*\.\s*CreateInstance\s*\(/
    $b64req = /FromBase64String\s*\(\s*(HttpContext\.Current\.|this\.)?Request\s*[\.\[]/
  condition:
    filesize < 2MB and any of ($server*) and any of ($refl*) and $b64req
}

rule w3g_webshell_encoded_eval
{
  meta:
    id = "w3g-yara-webshell-encoded-eval"
    title = "Web shell: server code evaluates a decoded or character-built string"
    severity = "high"
    description = "Server-side code evaluates the output of a decoder (Base64, gzinflate, rot13, unescape) or a string assembled from character codes: how web shells hide their payload from string signatures."
    reference = "https://attack.mitre.org/techniques/T1027/"
  strings:
    $server1 = "<%"
    $server2 = "runat=\"server\"" nocase
    $server3 = "<?php" nocase ascii
    $decode = /(eval|Execute|ExecuteGlobal|assert)\s*\(\s*(base64_decode|gzinflate|gzuncompress|str_rot13|unescape|Chr|ChrW|System\.Text\.Encoding\.\w+\.GetString)\s*\(/ nocase
    $chr = /(Chr|ChrW)\s*\(\s*\d{2,3}\s*\)\s*[&+]\s*(Chr|ChrW)\s*\(\s*\d{2,3}\s*\)\s*[&+]\s*(Chr|ChrW)\s*\(\s*\d{2,3}\s*\)/ nocase
    $execute = /(Execute|ExecuteGlobal|Eval)\s*\(?\s*\w{1,40}\s*\(/ nocase
  condition:
    filesize < 2MB and any of ($server*) and ($decode or (#chr > 3 and $execute))
}

rule w3g_iis_native_module
{
  meta:
    id = "w3g-yara-iis-native-module"
    title = "Native IIS module (a DLL exporting RegisterModule)"
    severity = "high"
    description = "A Windows DLL that names RegisterModule, the entry point IIS calls in native modules. Outside System32\\inetsrv and known vendors' folders this is how IIS backdoors (BadIIS, IIStealer, Group 2 to 14 of ESET's study) are installed."
    reference = "https://www.welivesecurity.com/2021/08/06/anatomy-native-iis-malware/"
  strings:
    $export = "RegisterModule" ascii fullword
  condition:
    uint16(0) == 0x5A4D and filesize < 20MB and uint32(uint32(0x3C)) == 0x00004550 and $export
}

rule w3g_tunnel_socket_page
{
  meta:
    id = "w3g-yara-tunnel-socket-page"
    title = "Tunnel page: a server page relays TCP connections for the client (reGeorg/Tunna-like)"
    severity = "high"
    description = "A server page opens sockets to addresses taken from the request and answers CONNECT / READ / FORWARD style commands: an HTTP tunnel into the internal network."
    reference = "https://attack.mitre.org/techniques/T1090/001/"
  strings:
    $server1 = "<%"
    $server2 = "runat=\"server\"" nocase
    $server3 = "<?php" nocase ascii
    $sock1 = /Sockets\s*\.\s*(Socket|TcpClient)/
    $sock2 = /new\s+(Socket|TcpClient)\s*\(/
    $sock3 = /(fsockopen|socket_create|stream_socket_client)\s*\(/ ascii
    $req1 = /Request\s*\.\s*(Headers|QueryString|Form|InputStream|BinaryRead|Params)/
    $req2 = /Request\s*\[/
    $req3 = /\$_(GET|POST|SERVER|REQUEST)/ ascii
    $cmd1 = "\"CONNECT\"" nocase
    $cmd2 = "\"FORWARD\"" nocase
    $cmd3 = "\"READ\"" nocase
    $cmd4 = "\"DISCONNECT\"" nocase
    $cmd5 = "X-CMD" nocase
    $cmd6 = "X-STATUS" nocase
    $cmd7 = "X-TARGET" nocase
  condition:
    filesize < 2MB and any of ($server*) and any of ($sock*) and any of ($req*) and 3 of ($cmd*)
}
