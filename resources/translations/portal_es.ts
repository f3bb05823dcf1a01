<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <source>About {app}</source>
        <translation>Acerca de {app}</translation>
    </message>
    <message>
        <source>Qt {qt}, PySide6 {pyside}</source>
        <translation>Qt {qt}, PySide6 {pyside}</translation>
    </message>
    <message>
        <source>Asking the server…</source>
        <translation>Consultando al servidor…</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <source>Qt</source>
        <translation>Qt</translation>
    </message>
    <message>
        <source>Python</source>
        <translation>Python</translation>
    </message>
    <message>
        <source>Pharmacy server</source>
        <translation>Servidor de la farmacia</translation>
    </message>
    <message>
        <source>Not reachable ({why})</source>
        <translation>Inaccesible ({why})</translation>
    </message>
</context>
<context>
    <name>AccountAdmin</name>
    <message>
        <source>Enter the date as YYYY-MM-DD, e.g. 2027-06-30.</source>
        <translation>Escriba la fecha como AAAA-MM-DD, p. ej. 2027-06-30.</translation>
    </message>
    <message>
        <source>The expiry date {problem}.</source>
        <translation>La fecha de vencimiento {problem}.</translation>
    </message>
    <message>
        <source>A reference looks like RX-261126-0001: check the reference.</source>
        <translation>Una referencia tiene la forma RX-261126-0001: revise la referencia.</translation>
    </message>
    <message>
        <source>The end date is before the start date.</source>
        <translation>La fecha final es anterior a la inicial.</translation>
    </message>
    <message>
        <source>anonymous</source>
        <translation>anónimo</translation>
    </message>
</context>
<context>
    <name>AccountRequestDialog</name>
    <message>
        <source>Enter {what}.</source>
        <translation>Escriba {what}.</translation>
    </message>
    <message>
        <source>Choose a user name.</source>
        <translation>Elija un nombre de usuario.</translation>
    </message>
    <message>
        <source>3 characters or more: letters, digits, dot, dash or underscore, starting with a letter or digit.</source>
        <translation>3 caracteres o más: letras, dígitos, punto, guion o guion bajo, empezando por una letra o un dígito.</translation>
    </message>
    <message>
        <source>Enter the e-mail address where the activation code should go.</source>
        <translation>Escriba la dirección de correo a la que debe llegar el código de activación.</translation>
    </message>
    <message>
        <source>This does not look like an e-mail address.</source>
        <translation>Esto no parece una dirección de correo electrónico.</translation>
    </message>
    <message>
        <source>Request an account</source>
        <translation>Solicitar una cuenta</translation>
    </message>
    <message>
        <source>The pharmacy checks your NPI and state licence before approving the account; you then receive an activation code by e-mail.</source>
        <translation>La farmacia verifica su NPI y su licencia estatal antes de aprobar la cuenta; luego recibirá un código de activación por correo.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Send request</source>
        <translation>Enviar la solicitud</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Usted</translation>
    </message>
    <message>
        <source>your full name</source>
        <translation>su nombre completo</translation>
    </message>
    <message>
        <source>Full name</source>
        <translation>Nombre completo</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <source>your clinic</source>
        <translation>su clínica</translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation>Clínica</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Prescriber (physician, NP, PA)</source>
        <translation>Prescriptor (médico, NP, PA)</translation>
    </message>
    <message>
        <source>Clinic staff (prepares drafts, never signs)</source>
        <translation>Personal de la clínica (prepara borradores, nunca firma)</translation>
    </message>
    <message>
        <source>Prescriber credentials</source>
        <translation>Credenciales del prescriptor</translation>
    </message>
    <message>
        <source>{count} digits</source>
        <translation>{count} dígitos</translation>
    </message>
    <message>
        <source>✓ Valid NPI</source>
        <translation>✓ NPI válido</translation>
    </message>
    <message>
        <source>the state licence number</source>
        <translation>el número de licencia estatal</translation>
    </message>
    <message>
        <source>State licence number</source>
        <translation>Número de licencia estatal</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Elegir…</translation>
    </message>
    <message>
        <source>Licence state</source>
        <translation>Estado de la licencia</translation>
    </message>
    <message>
        <source>Licence expiry date</source>
        <translation>Fecha de vencimiento de la licencia</translation>
    </message>
    <message>
        <source>Optional: 2 letters and 7 digits</source>
        <translation>Opcional: 2 letras y 7 dígitos</translation>
    </message>
    <message>
        <source>✓ Valid DEA number</source>
        <translation>✓ Número DEA válido</translation>
    </message>
    <message>
        <source>DEA number</source>
        <translation>Número DEA</translation>
    </message>
    <message>
        <source>State licence</source>
        <translation>Licencia estatal</translation>
    </message>
    <message>
        <source>Licence expires</source>
        <translation>Vencimiento de la licencia</translation>
    </message>
    <message>
        <source>Request sent</source>
        <translation>Solicitud enviada</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>This licence has already expired.</source>
        <translation>Esta licencia ya venció.</translation>
    </message>
    <message>
        <source>Choose the licence state.</source>
        <translation>Elija el estado de la licencia.</translation>
    </message>
    <message>
        <source>Please correct the highlighted fields first.</source>
        <translation>Corrija primero los campos resaltados.</translation>
    </message>
    <message>
        <source>Please correct the highlighted field first.</source>
        <translation>Corrija primero el campo resaltado.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>&lt;p&gt;Your request for the account &lt;b&gt;{username}&lt;/b&gt; is waiting for the pharmacy&apos;s approval. Pharmacy staff check your NPI and licence, usually within one working day.&lt;/p&gt;&lt;p&gt;When it is approved, an activation code is e-mailed to &lt;b&gt;{email}&lt;/b&gt;. Then choose &lt;b&gt;Activate account&lt;/b&gt; in the sign-in window, set your password and link your authenticator app.&lt;/p&gt;</source>
        <translation>&lt;p&gt;Su solicitud de la cuenta &lt;b&gt;{username}&lt;/b&gt; espera la aprobación de la farmacia. El personal de la farmacia verifica su NPI y su licencia, normalmente en un día hábil.&lt;/p&gt;&lt;p&gt;Cuando se apruebe, se enviará un código de activación a &lt;b&gt;{email}&lt;/b&gt;. Luego elija &lt;b&gt;Activar cuenta&lt;/b&gt; en la ventana de inicio de sesión, defina su contraseña y vincule su aplicación de autenticación.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>is not accepted</source>
        <translation>no se acepta</translation>
    </message>
    <message>
        <source>The pharmacy refused the request.</source>
        <translation>La farmacia rechazó la solicitud.</translation>
    </message>
    <message>
        <source>Unexpected problem ({name}).</source>
        <translation>Problema inesperado ({name}).</translation>
    </message>
</context>
<context>
    <name>Accounts</name>
    <message>
        <source>Enter the 10-digit NPI.</source>
        <translation>Escriba el NPI de 10 dígitos.</translation>
    </message>
    <message>
        <source>An NPI has digits only.</source>
        <translation>Un NPI solo tiene dígitos.</translation>
    </message>
    <message>
        <source>An NPI has {length} digits ({typed} so far).</source>
        <translation>Un NPI tiene {length} dígitos (lleva {typed}).</translation>
    </message>
    <message>
        <source>This NPI&apos;s check digit does not match: a digit is probably mistyped.</source>
        <translation>El dígito de control de este NPI no coincide: probablemente hay un dígito mal escrito.</translation>
    </message>
    <message>
        <source>A DEA number is 2 letters then 7 digits, e.g. AB1234563.</source>
        <translation>Un número DEA son 2 letras y luego 7 dígitos, p. ej. AB1234563.</translation>
    </message>
    <message>
        <source>This DEA number&apos;s check digit does not match: a character is probably mistyped.</source>
        <translation>El dígito de control de este número DEA no coincide: probablemente hay un carácter mal escrito.</translation>
    </message>
    <message>
        <source>Use at least {minimum} characters ({length} so far). A short phrase works well.</source>
        <translation>Use al menos {minimum} caracteres (lleva {length}). Una frase corta funciona bien.</translation>
    </message>
    <message>
        <source>Use at most {maximum} characters ({length} now).</source>
        <translation>Use como máximo {maximum} caracteres (ahora hay {length}).</translation>
    </message>
    <message>
        <source>The password must not contain your user name.</source>
        <translation>La contraseña no debe contener su nombre de usuario.</translation>
    </message>
    <message>
        <source>No state licence is on file: you cannot sign prescriptions until the pharmacy records one.</source>
        <translation>No hay una licencia estatal registrada: no puede firmar recetas hasta que la farmacia registre una.</translation>
    </message>
    <message>
        <source>The licence date on file is unreadable.</source>
        <translation>No se puede leer la fecha de la licencia registrada.</translation>
    </message>
    <message>
        <source>Your state licence expired on {when}. You cannot sign prescriptions until the pharmacy records a current licence; drafts can still be prepared.</source>
        <translation>Su licencia estatal venció el {when}. No puede firmar recetas hasta que la farmacia registre una licencia vigente; todavía se pueden preparar borradores.</translation>
    </message>
    <message>
        <source>today</source>
        <translation>hoy</translation>
    </message>
    <message>
        <source>in 1 day</source>
        <translation>en 1 día</translation>
    </message>
    <message>
        <source>in {days} days</source>
        <translation>en {days} días</translation>
    </message>
    <message>
        <source>Your state licence expires {left} ({when}). Send the renewed licence to the pharmacy so that you can keep signing.</source>
        <translation>Su licencia estatal vence {left} ({when}). Envíe la licencia renovada a la farmacia para poder seguir firmando.</translation>
    </message>
    <message>
        <source>a few minutes</source>
        <translation>unos minutos</translation>
    </message>
    <message>
        <source>1 minute</source>
        <translation>1 minuto</translation>
    </message>
    <message>
        <source>{minutes} minutes</source>
        <translation>{minutes} minutos</translation>
    </message>
    <message>
        <source>That code was already used: each code works once. Wait for the authenticator to show the next code (they change every 30 seconds) and enter that.</source>
        <translation>Ese código ya se usó: cada código sirve una sola vez. Espere a que la aplicación de autenticación muestre el siguiente (cambian cada 30 segundos) y escríbalo.</translation>
    </message>
    <message>
        <source>The code step timed out. Enter your password again.</source>
        <translation>Se agotó el tiempo para el código. Escriba de nuevo su contraseña.</translation>
    </message>
    <message>
        <source>That code is not right. Check that you read the code for this portal, and that the phone&apos;s clock is set automatically.</source>
        <translation>Ese código no es correcto. Compruebe que leyó el código de este portal y que el reloj del teléfono se ajusta automáticamente.</translation>
    </message>
    <message>
        <source>The code was not accepted. Enter the code the authenticator shows now; each code works once, so if you just used one, wait for the next.</source>
        <translation>No se aceptó el código. Escriba el código que muestra ahora la aplicación de autenticación; cada código sirve una sola vez, así que si acaba de usar uno, espere al siguiente.</translation>
    </message>
    <message>
        <source>This account is locked after too many failed attempts. Try again in {minutes}, or ask the pharmacy to unlock it.</source>
        <translation>Esta cuenta está bloqueada por demasiados intentos fallidos. Vuelva a intentarlo en {minutes} o pida a la farmacia que la desbloquee.</translation>
    </message>
    <message>
        <source>Too many failed sign-ins from this workstation. Try again in {minutes}.</source>
        <translation>Demasiados inicios de sesión fallidos desde esta estación de trabajo. Vuelva a intentarlo en {minutes}.</translation>
    </message>
    <message>
        <source>Wrong user name or password. Check both and try again.</source>
        <translation>Nombre de usuario o contraseña incorrectos. Revise ambos y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>That password is not right. Try again.</source>
        <translation>Esa contraseña no es correcta. Vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The current password is not right.</source>
        <translation>La contraseña actual no es correcta.</translation>
    </message>
</context>
<context>
    <name>Action</name>
    <message>
        <source>Approve</source>
        <translation>Aprobar</translation>
    </message>
    <message>
        <source>approved</source>
        <translation>aprobó</translation>
    </message>
    <message>
        <source>Note for the prescriber</source>
        <translation>Nota para el prescriptor</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>Rechazar…</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>rechazó</translation>
    </message>
    <message>
        <source>Reason the prescriber can act on</source>
        <translation>Motivo sobre el que el prescriptor pueda actuar</translation>
    </message>
    <message>
        <source>Ask the prescriber…</source>
        <translation>Preguntar al prescriptor…</translation>
    </message>
    <message>
        <source>asked for clarification</source>
        <translation>pidió una aclaración</translation>
    </message>
    <message>
        <source>Question for the prescriber</source>
        <translation>Pregunta para el prescriptor</translation>
    </message>
    <message>
        <source>Answer the pharmacist…</source>
        <translation>Responder al farmacéutico…</translation>
    </message>
    <message>
        <source>answered</source>
        <translation>respondió</translation>
    </message>
    <message>
        <source>Answer for the pharmacist</source>
        <translation>Respuesta para el farmacéutico</translation>
    </message>
    <message>
        <source>Cancel prescription…</source>
        <translation>Cancelar la receta…</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>canceló</translation>
    </message>
    <message>
        <source>Reason for cancelling</source>
        <translation>Motivo de la cancelación</translation>
    </message>
    <message>
        <source>Start compounding</source>
        <translation>Iniciar la preparación</translation>
    </message>
    <message>
        <source>started compounding</source>
        <translation>inició la preparación</translation>
    </message>
    <message>
        <source>Note (lot, beyond-use date…)</source>
        <translation>Nota (lote, fecha límite de uso…)</translation>
    </message>
    <message>
        <source>Mark ready</source>
        <translation>Marcar como lista</translation>
    </message>
    <message>
        <source>marked ready</source>
        <translation>marcó como lista</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
    <message>
        <source>Mark shipped…</source>
        <translation>Marcar como despachada…</translation>
    </message>
    <message>
        <source>shipped</source>
        <translation>despachó</translation>
    </message>
    <message>
        <source>Courier and tracking number</source>
        <translation>Transportista y número de rastreo</translation>
    </message>
</context>
<context>
    <name>ActionDialog</name>
    <message>
        <source>{note} (optional)</source>
        <translation>{note} (opcional)</translation>
    </message>
    <message>
        <source>Keep the prescription</source>
        <translation>Conservar la receta</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Send (Ctrl+Enter)</source>
        <translation>Enviar (Ctrl+Intro)</translation>
    </message>
    <message>
        <source>&lt;b&gt;Question from {who}&lt;/b&gt; · {when}&lt;br&gt;</source>
        <translation>&lt;b&gt;Pregunta de {who}&lt;/b&gt; · {when}&lt;br&gt;</translation>
    </message>
    <message>
        <source>Optional. The prescriber sees it in the prescription&apos;s history.</source>
        <translation>Opcional. El prescriptor lo ve en el historial de la receta.</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>Your session ended. Sign in again, then send: your text is kept.</source>
        <translation>Su sesión terminó. Inicie sesión de nuevo y luego envíe: su texto se conserva.</translation>
    </message>
    <message>
        <source>The pharmacy refused it: {message}</source>
        <translation>La farmacia lo rechazó: {message}</translation>
    </message>
</context>
<context>
    <name>ActivationDialog</name>
    <message>
        <source>Activate your account</source>
        <translation>Active su cuenta</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>Continuar</translation>
    </message>
    <message>
        <source>Step 1 of 2: enter the activation code from the pharmacy&apos;s e-mail and choose your password.</source>
        <translation>Paso 1 de 2: escriba el código de activación del correo de la farmacia y elija su contraseña.</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>Activation code</source>
        <translation>Código de activación</translation>
    </message>
    <message>
        <source>Your password</source>
        <translation>Su contraseña</translation>
    </message>
    <message>
        <source>Link your authenticator app</source>
        <translation>Vincule su aplicación de autenticación</translation>
    </message>
    <message>
        <source>Step 2 of 2: open an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, or similar), add an account and scan this code. The portal asks for the app&apos;s 6-digit code at every sign-in.</source>
        <translation>Paso 2 de 2: abra una aplicación de autenticación en su teléfono (Google Authenticator, Microsoft Authenticator o similar), agregue una cuenta y escanee este código. El portal le pedirá el código de 6 dígitos de la aplicación cada vez que inicie sesión.</translation>
    </message>
    <message>
        <source>Can&apos;t scan it?</source>
        <translation>¿No puede escanearlo?</translation>
    </message>
    <message>
        <source>Choose “enter a setup key” in the app and type:</source>
        <translation>Elija «introducir una clave de configuración» en la aplicación y escriba:</translation>
    </message>
    <message>
        <source>Time-based, 6 digits, every 30 seconds.</source>
        <translation>Basado en tiempo, 6 dígitos, cada 30 segundos.</translation>
    </message>
    <message>
        <source>&lt;b&gt;Code shown by the app&lt;/b&gt;</source>
        <translation>&lt;b&gt;Código que muestra la aplicación&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <source>Activate and sign in</source>
        <translation>Activar e iniciar sesión</translation>
    </message>
    <message>
        <source>Unexpected problem ({name}).</source>
        <translation>Problema inesperado ({name}).</translation>
    </message>
</context>
<context>
    <name>AdminHomeWindow</name>
    <message>
        <source>Pharmacy administration</source>
        <translation>Administración de la farmacia</translation>
    </message>
</context>
<context>
    <name>AdminWindow</name>
    <message>
        <source>Approve account request</source>
        <translation>Aprobar la solicitud de cuenta</translation>
    </message>
    <message>
        <source>Approve an account for {display_name} ({role})?

Check the NPI and the state licence first. The activation code is e-mailed to {email}.</source>
        <translation>¿Aprobar una cuenta para {display_name} ({role})?

Verifique primero el NPI y la licencia estatal. El código de activación se envía por correo a {email}.</translation>
    </message>
</context>
<context>
    <name>AdministrationCard</name>
    <message>
        <source>Administration</source>
        <translation>Administración</translation>
    </message>
    <message>
        <source>Access route</source>
        <translation>Vía de acceso</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>Vehículo</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>Volumen</translation>
    </message>
    <message>
        <source>Infusion time</source>
        <translation>Tiempo de infusión</translation>
    </message>
    <message>
        <source>Lipid infusion time</source>
        <translation>Tiempo de infusión de lípidos</translation>
    </message>
</context>
<context>
    <name>AdministrationTabs</name>
    <message>
        <source>Administration sections</source>
        <translation>Secciones de administración</translation>
    </message>
    <message>
        <source>Account requests</source>
        <translation>Solicitudes de cuenta</translation>
    </message>
    <message>
        <source>Templates</source>
        <translation>Plantillas</translation>
    </message>
    <message>
        <source>Formulary</source>
        <translation>Formulario</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Usuarios</translation>
    </message>
    <message>
        <source>Audit trail</source>
        <translation>Registro de auditoría</translation>
    </message>
</context>
<context>
    <name>AdministrationWindow</name>
    <message>
        <source>{app} — Pharmacy administration</source>
        <translation>{app} — Administración de la farmacia</translation>
    </message>
</context>
<context>
    <name>ApiClient</name>
    <message>
        <source>You are not signed in.</source>
        <translation>No ha iniciado sesión.</translation>
    </message>
    <message>
        <source>Cannot reach the pharmacy server at {host}. Check the network connection and the server address, then try again.</source>
        <translation>No se puede conectar con el servidor de la farmacia en {host}. Revise la conexión de red y la dirección del servidor y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The pharmacy server did not answer in time. The request may or may not have been received.</source>
        <translation>El servidor de la farmacia no respondió a tiempo. Puede que la solicitud se haya recibido o no.</translation>
    </message>
    <message>
        <source>The connection to the pharmacy server broke before it answered. The request may or may not have been received.</source>
        <translation>La conexión con el servidor de la farmacia se cortó antes de que respondiera. Puede que la solicitud se haya recibido o no.</translation>
    </message>
    <message>
        <source>Unexpected network problem: {name}</source>
        <translation>Problema de red inesperado: {name}</translation>
    </message>
    <message>
        <source>The server sent an unreadable answer.</source>
        <translation>El servidor envió una respuesta ilegible.</translation>
    </message>
    <message>
        <source>Your session has ended. Please sign in again.</source>
        <translation>Su sesión terminó. Inicie sesión de nuevo.</translation>
    </message>
    <message>
        <source>The user name or password is not right. Check them and try again.</source>
        <translation>El nombre de usuario o la contraseña no son correctos. Revíselos y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The server&apos;s FHIR answer is not a Bundle.</source>
        <translation>La respuesta FHIR del servidor no es un Bundle.</translation>
    </message>
</context>
<context>
    <name>ApprovalsView</name>
    <message>
        <source>Account requests</source>
        <translation>Solicitudes de cuenta</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Todas</translation>
    </message>
    <message>
        <source>Show requests</source>
        <translation>Mostrar solicitudes</translation>
    </message>
    <message>
        <source> Refresh</source>
        <translation> Actualizar</translation>
    </message>
    <message>
        <source>Check each prescriber&apos;s NPI and state licence with the licensing board before approving. Approval e-mails a single-use activation code.</source>
        <translation>Verifique el NPI y la licencia estatal de cada prescriptor con la junta de licencias antes de aprobar. La aprobación envía por correo un código de activación de un solo uso.</translation>
    </message>
    <message>
        <source>Select a request.</source>
        <translation>Seleccione una solicitud.</translation>
    </message>
    <message>
        <source>Reject…</source>
        <translation>Rechazar…</translation>
    </message>
    <message>
        <source> Approve</source>
        <translation> Aprobar</translation>
    </message>
    <message>
        <source>Could not load the requests: {error}</source>
        <translation>No se pudieron cargar las solicitudes: {error}</translation>
    </message>
    <message>
        <source>{total} in all</source>
        <translation>{total} en total</translation>
    </message>
    <message>
        <source>{action} on {when}</source>
        <translation>{action} el {when}</translation>
    </message>
    <message>
        <source>Approved. The activation code was e-mailed to {email}.</source>
        <translation>Aprobada. El código de activación se envió por correo a {email}.</translation>
    </message>
    <message>
        <source>Rejected. {display_name} is told why by e-mail.</source>
        <translation>Rechazada. Se informa el motivo a {display_name} por correo.</translation>
    </message>
</context>
<context>
    <name>AskAboutFieldDialog</name>
    <message>
        <source>Ask about a field</source>
        <translation>Preguntar por un campo</translation>
    </message>
    <message>
        <source>Ask the prescriber about one field</source>
        <translation>Preguntar al prescriptor por un campo</translation>
    </message>
    <message>
        <source>Field</source>
        <translation>Campo</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Ahora</translation>
    </message>
    <message>
        <source>Proposed value</source>
        <translation>Valor propuesto</translation>
    </message>
    <message>
        <source>Message for the prescriber</source>
        <translation>Mensaje para el prescriptor</translation>
    </message>
    <message>
        <source>Why you propose it</source>
        <translation>Por qué lo propone</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <source>Send the question</source>
        <translation>Enviar la pregunta</translation>
    </message>
    <message>
        <source>From {low} to {high} {unit}</source>
        <translation>De {low} a {high} {unit}</translation>
    </message>
    <message>
        <source>Type the proposed value as a number.</source>
        <translation>Escriba el valor propuesto como un número.</translation>
    </message>
    <message>
        <source>Write a message for the prescriber.</source>
        <translation>Escriba un mensaje para el prescriptor.</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <source>Audit trail</source>
        <translation>Registro de auditoría</translation>
    </message>
    <message>
        <source>Action, e.g. auth.login</source>
        <translation>Acción, p. ej. auth.login</translation>
    </message>
    <message>
        <source>Filter by action</source>
        <translation>Filtrar por acción</translation>
    </message>
    <message>
        <source> Refresh</source>
        <translation> Actualizar</translation>
    </message>
    <message>
        <source>Export the audit trail</source>
        <translation>Exportar el registro de auditoría</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Archivos CSV (*.csv)</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>Exportar CSV…</translation>
    </message>
    <message>
        <source>Every sign-in, account change and prescription step, newest first. Events are hash-chained; `pharmacy-server audit verify` proves none was altered or removed.</source>
        <translation>Cada inicio de sesión, cambio de cuenta y paso de una receta, del más reciente al más antiguo. Los eventos están encadenados por hash; `pharmacy-server audit verify` demuestra que ninguno se alteró ni se eliminó.</translation>
    </message>
    <message>
        <source>‹ Newer</source>
        <translation>‹ Más recientes</translation>
    </message>
    <message>
        <source>Older ›</source>
        <translation>Anteriores ›</translation>
    </message>
    <message>
        <source>From date</source>
        <translation>Fecha inicial</translation>
    </message>
    <message>
        <source>To date</source>
        <translation>Fecha final</translation>
    </message>
    <message>
        <source>{field}: enter the date as YYYY-MM-DD, e.g. 2026-12-01.</source>
        <translation>{field}: escriba la fecha como AAAA-MM-DD, p. ej. 2026-12-01.</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>Exportando…</translation>
    </message>
    <message>
        <source>Exported {count} events to {name}.</source>
        <translation>Se exportaron {count} eventos a {name}.</translation>
    </message>
    <message>
        <source>Could not export the audit trail: {error}</source>
        <translation>No se pudo exportar el registro de auditoría: {error}</translation>
    </message>
    <message>
        <source>Any user</source>
        <translation>Cualquier usuario</translation>
    </message>
    <message>
        <source>Filter by user</source>
        <translation>Filtrar por usuario</translation>
    </message>
    <message>
        <source>From YYYY-MM-DD</source>
        <translation>Desde AAAA-MM-DD</translation>
    </message>
    <message>
        <source>From date (local)</source>
        <translation>Fecha inicial (hora local)</translation>
    </message>
    <message>
        <source>To YYYY-MM-DD</source>
        <translation>Hasta AAAA-MM-DD</translation>
    </message>
    <message>
        <source>To date (local, included)</source>
        <translation>Fecha final (hora local, incluida)</translation>
    </message>
    <message>
        <source>Reference, e.g. RX-261126-0001</source>
        <translation>Referencia, p. ej. RX-261126-0001</translation>
    </message>
    <message>
        <source>Filter by prescription reference</source>
        <translation>Filtrar por referencia de receta</translation>
    </message>
    <message>
        <source>Apply filters</source>
        <translation>Aplicar filtros</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <source>Could not load the audit trail: {error}</source>
        <translation>No se pudo cargar el registro de auditoría: {error}</translation>
    </message>
    <message>
        <source>Event {seq} · {utc} UTC · hash {hash}…</source>
        <translation>Evento {seq} · {utc} UTC · hash {hash}…</translation>
    </message>
    <message>
        <source>Account id {actor_id}</source>
        <translation>Id. de cuenta {actor_id}</translation>
    </message>
    <message>
        <source>Events {first}–{last} of {total} · page {page_number}</source>
        <translation>Eventos {first}–{last} de {total} · página {page_number}</translation>
    </message>
    <message>
        <source>No events.</source>
        <translation>No hay eventos.</translation>
    </message>
</context>
<context>
    <name>BeyondUseFields</name>
    <message>
        <source>Beyond-use date</source>
        <translation>Fecha límite de uso</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Almacenamiento</translation>
    </message>
    <message>
        <source>Choose how it is kept…</source>
        <translation>Elija cómo se conserva…</translation>
    </message>
    <message>
        <source>Choose how the bag is stored until it is given.</source>
        <translation>Elija cómo se conserva la bolsa hasta su administración.</translation>
    </message>
</context>
<context>
    <name>Busy</name>
    <message>
        <source>Working</source>
        <translation>Procesando</translation>
    </message>
</context>
<context>
    <name>BusyIndicator</name>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>CatalogEditor</name>
    <message>
        <source>Not valid JSON: {message}</source>
        <translation>JSON no válido: {message}</translation>
    </message>
    <message>
        <source>The content must be one JSON object.</source>
        <translation>El contenido debe ser un único objeto JSON.</translation>
    </message>
    <message>
        <source>content</source>
        <translation>contenido</translation>
    </message>
    <message>
        <source>Line {line}, {field}: {reason}</source>
        <translation>Línea {line}, {field}: {reason}</translation>
    </message>
</context>
<context>
    <name>CatalogEditorView</name>
    <message>
        <source>Templates</source>
        <translation>Plantillas</translation>
    </message>
    <message>
        <source>Versions</source>
        <translation>Versiones</translation>
    </message>
    <message>
        <source>Content (JSON)</source>
        <translation>Contenido (JSON)</translation>
    </message>
    <message>
        <source>Why this change (required)</source>
        <translation>Motivo del cambio (obligatorio)</translation>
    </message>
    <message>
        <source>Why this change</source>
        <translation>Motivo del cambio</translation>
    </message>
    <message>
        <source>Problems in the content</source>
        <translation>Problemas del contenido</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>New version</source>
        <translation>Nueva versión</translation>
    </message>
    <message>
        <source>Save draft</source>
        <translation>Guardar borrador</translation>
    </message>
    <message>
        <source>Cancel edit</source>
        <translation>Cancelar la edición</translation>
    </message>
    <message>
        <source>Publish</source>
        <translation>Publicar</translation>
    </message>
    <message>
        <source>Publishing needs a second person: you cannot publish your own draft.</source>
        <translation>Publicar requiere una segunda persona: no puede publicar su propio borrador.</translation>
    </message>
    <message>
        <source>Delete version</source>
        <translation>Eliminar la versión</translation>
    </message>
    <message>
        <source>Why:</source>
        <translation>Motivo:</translation>
    </message>
    <message>
        <source>Editing a new version. Save it as a draft; someone else publishes it.</source>
        <translation>Editando una nueva versión. Guárdela como borrador; otra persona la publica.</translation>
    </message>
    <message>
        <source>Say why, in a few words.</source>
        <translation>Indique el motivo en pocas palabras.</translation>
    </message>
    <message>
        <source>Version {version} saved as a draft. Another pharmacist or an admin publishes it.</source>
        <translation>Versión {version} guardada como borrador. Otro farmacéutico o un administrador la publica.</translation>
    </message>
    <message>
        <source>The server refused the content: see each problem below.</source>
        <translation>El servidor rechazó el contenido: vea cada problema abajo.</translation>
    </message>
    <message>
        <source>Version {version} is published: prescribers get it now.</source>
        <translation>La versión {version} está publicada: los prescriptores ya la reciben.</translation>
    </message>
    <message>
        <source>Version {version} was deleted.</source>
        <translation>Se eliminó la versión {version}.</translation>
    </message>
</context>
<context>
    <name>Category</name>
    <message>
        <source>Hydration</source>
        <translation>Hidratación</translation>
    </message>
    <message>
        <source>Mineral infusion</source>
        <translation>Infusión de minerales</translation>
    </message>
    <message>
        <source>Parenteral nutrition</source>
        <translation>Nutrición parenteral</translation>
    </message>
    <message>
        <source>Vitamin infusion</source>
        <translation>Infusión de vitaminas</translation>
    </message>
    <message>
        <source>Vitamin push</source>
        <translation>Vitaminas en bolo</translation>
    </message>
</context>
<context>
    <name>ChecksPanel</name>
    <message>
        <source>Clinical checks</source>
        <translation>Verificaciones clínicas</translation>
    </message>
    <message>
        <source>Computed</source>
        <translation>Calculado</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;color:{text_colour}&apos;&gt;Choose a template: the pharmacy&apos;s checks run here as you type.&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;color:{text_colour}&apos;&gt;Elija una plantilla: las verificaciones de la farmacia se ejecutan aquí mientras escribe.&lt;/span&gt;</translation>
    </message>
    <message>
        <source>Not checked yet: 1 field of the form to complete first.</source>
        <translation>Aún sin verificar: falta completar 1 campo del formulario.</translation>
    </message>
    <message>
        <source>Not checked yet: {count} fields of the form to complete first.</source>
        <translation>Aún sin verificar: faltan completar {count} campos del formulario.</translation>
    </message>
    <message>
        <source>BLOCKED</source>
        <translation>BLOQUEADA</translation>
    </message>
    <message>
        <source>1 warning needs your reason below.</source>
        <translation>1 advertencia requiere su motivo abajo.</translation>
    </message>
    <message>
        <source>{count} warnings need your reason below.</source>
        <translation>{count} advertencias requieren su motivo abajo.</translation>
    </message>
    <message>
        <source>WARNINGS</source>
        <translation>ADVERTENCIAS</translation>
    </message>
    <message>
        <source>No clinical block. 1 field of the form still to complete.</source>
        <translation>Sin bloqueos clínicos. Falta completar 1 campo del formulario.</translation>
    </message>
    <message>
        <source>No clinical block. {count} fields of the form still to complete.</source>
        <translation>Sin bloqueos clínicos. Faltan completar {count} campos del formulario.</translation>
    </message>
    <message>
        <source>READY</source>
        <translation>LISTA</translation>
    </message>
    <message>
        <source>Every check passed or has your reason.</source>
        <translation>Todas las verificaciones se superaron o tienen su motivo.</translation>
    </message>
    <message>
        <source>An estimate from each stock product&apos;s osmolarity; the pharmacy confirms it.</source>
        <translation>Una estimación a partir de la osmolaridad de cada producto en existencia; la farmacia la confirma.</translation>
    </message>
</context>
<context>
    <name>ClaimStrip</name>
    <message>
        <source>Who is reviewing</source>
        <translation>Quién está revisando</translation>
    </message>
    <message>
        <source>Review anyway</source>
        <translation>Revisar de todos modos</translation>
    </message>
    <message>
        <source>Take the review over from the other pharmacist (recorded in the audit trail)</source>
        <translation>Tomar la revisión del otro farmacéutico (queda en el registro de auditoría)</translation>
    </message>
    <message>
        <source>{reviewing}. Its moves wait until you choose “Review anyway”.</source>
        <translation>{reviewing}. Sus acciones esperan hasta que elija «Revisar de todos modos».</translation>
    </message>
</context>
<context>
    <name>Claims</name>
    <message>
        <source>{name} is reviewing</source>
        <translation>{name} está revisando</translation>
    </message>
    <message>
        <source>{name} is reviewing (since {clock})</source>
        <translation>{name} está revisando (desde las {clock})</translation>
    </message>
    <message>
        <source>No more orders in this view.</source>
        <translation>No quedan más pedidos en esta vista.</translation>
    </message>
</context>
<context>
    <name>CodePage</name>
    <message>
        <source>Open the authenticator app on your phone (for example Google or Microsoft Authenticator) and type the code shown for this portal. Codes change every 30 seconds and work once.</source>
        <translation>Abra la aplicación de autenticación en su teléfono (por ejemplo, Google o Microsoft Authenticator) y escriba el código que muestra para este portal. Los códigos cambian cada 30 segundos y sirven una sola vez.</translation>
    </message>
    <message>
        <source>← Use another account</source>
        <translation>← Usar otra cuenta</translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <source>The checks are unknown: the pharmacy&apos;s formulary and rules could not be fetched and none are saved on this computer. The server checks the order when it is sent.</source>
        <translation>Las verificaciones son desconocidas: no se pudieron obtener el formulario ni las reglas de la farmacia y no hay ninguno guardado en este equipo. El servidor verifica el pedido cuando se envía.</translation>
    </message>
    <message>
        <source>Choose a template</source>
        <translation>Elija una plantilla</translation>
    </message>
    <message>
        <source>The prescription is not ready to sign.</source>
        <translation>La receta no está lista para firmar.</translation>
    </message>
    <message>
        <source>Untitled draft</source>
        <translation>Borrador sin título</translation>
    </message>
    <message>
        <source>below the usual {typical_range}</source>
        <translation>por debajo de lo habitual {typical_range}</translation>
    </message>
    <message>
        <source>above the usual {typical_range}</source>
        <translation>por encima de lo habitual {typical_range}</translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>Nota: {note}</translation>
    </message>
    <message>
        <source>1 thing to fix before this can be signed</source>
        <translation>1 cosa que corregir antes de poder firmar</translation>
    </message>
    <message>
        <source>{count} things to fix before this can be signed</source>
        <translation>{count} cosas que corregir antes de poder firmar</translation>
    </message>
    <message>
        <source>Has a clinical block the prescriber must resolve</source>
        <translation>Tiene un bloqueo clínico que el prescriptor debe resolver</translation>
    </message>
    <message>
        <source>{count} left to complete before signing</source>
        <translation>Faltan {count} por completar antes de firmar</translation>
    </message>
    <message>
        <source>Complete: ready for the prescriber to sign</source>
        <translation>Completo: listo para que lo firme el prescriptor</translation>
    </message>
    <message>
        <source>Cannot be signed: a clinical block (see Clinical checks)</source>
        <translation>No se puede firmar: un bloqueo clínico (vea Verificaciones clínicas)</translation>
    </message>
    <message>
        <source>Cannot be signed: {count} clinical blocks (see Clinical checks)</source>
        <translation>No se puede firmar: {count} bloqueos clínicos (vea Verificaciones clínicas)</translation>
    </message>
    <message>
        <source>{count} to complete before signing</source>
        <translation>Faltan {count} por completar antes de firmar</translation>
    </message>
    <message>
        <source>Ready to sign</source>
        <translation>Lista para firmar</translation>
    </message>
    <message>
        <source>Check, sign with your password and send (Ctrl+Enter)</source>
        <translation>Revisar, firmar con su contraseña y enviar (Ctrl+Intro)</translation>
    </message>
    <message>
        <source>New prescription</source>
        <translation>Nueva receta</translation>
    </message>
    <message>
        <source>Prepare a prescription for signature</source>
        <translation>Preparar una receta para firma</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Borrador</translation>
    </message>
    <message>
        <source>Editing…</source>
        <translation>Editando…</translation>
    </message>
    <message>
        <source>Draft kept for this session only (no system keyring)</source>
        <translation>Borrador guardado solo durante esta sesión (sin llavero del sistema)</translation>
    </message>
    <message>
        <source>Draft saved</source>
        <translation>Borrador guardado</translation>
    </message>
    <message>
        <source>Not saved yet: {error}</source>
        <translation>Aún no se ha guardado: {error}</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>Given name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Apellido</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Peso</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>Estatura</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
    <message>
        <source>Lab results</source>
        <translation>Resultados de laboratorio</translation>
    </message>
    <message>
        <source>Warnings</source>
        <translation>Advertencias</translation>
    </message>
    <message>
        <source>Ingredients</source>
        <translation>Ingredientes</translation>
    </message>
    <message>
        <source>Access route</source>
        <translation>Vía de acceso</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>Vehículo</translation>
    </message>
    <message>
        <source>Volume</source>
        <translation>Volumen</translation>
    </message>
    <message>
        <source>Infusion time</source>
        <translation>Tiempo de infusión</translation>
    </message>
    <message>
        <source>Lipid infusion time</source>
        <translation>Tiempo de infusión de lípidos</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notas</translation>
    </message>
    <message>
        <source>Ingredient</source>
        <translation>Ingrediente</translation>
    </message>
    <message>
        <source>Required</source>
        <translation>Obligatorio</translation>
    </message>
    <message>
        <source>clinic staff</source>
        <translation>personal de la clínica</translation>
    </message>
    <message>
        <source>Prescriber {prescriber_id}</source>
        <translation>Prescriptor {prescriber_id}</translation>
    </message>
</context>
<context>
    <name>ComposerHeader</name>
    <message>
        <source> My prescriptions</source>
        <translation> Mis recetas</translation>
    </message>
</context>
<context>
    <name>ComposerPage</name>
    <message>
        <source>Your local drafts store is still opening; try again in a moment.</source>
        <translation>Su almacén local de borradores todavía se está abriendo; vuelva a intentarlo en un momento.</translation>
    </message>
    <message>
        <source>The signed prescription could not be stored on this computer: {error}. Nothing was sent; your draft is kept.</source>
        <translation>No se pudo guardar la receta firmada en esta computadora: {error}. No se envió nada; su borrador se conserva.</translation>
    </message>
</context>
<context>
    <name>ComposingWindow</name>
    <message>
        <source> Refresh</source>
        <translation> Actualizar</translation>
    </message>
</context>
<context>
    <name>ConnectivityIndicator</name>
    <message>
        <source>Connection: {text}</source>
        <translation>Conexión: {text}</translation>
    </message>
</context>
<context>
    <name>CredentialsPage</name>
    <message>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>Remember my user name on this computer</source>
        <translation>Recordar mi nombre de usuario en esta computadora</translation>
    </message>
    <message>
        <source>Remember my user name</source>
        <translation>Recordar mi nombre de usuario</translation>
    </message>
</context>
<context>
    <name>DemoAccountsCard</name>
    <message>
        <source>Demo accounts</source>
        <translation>Cuentas de demostración</translation>
    </message>
    <message>
        <source>All use the password “{password}”. Click one to fill in the form.</source>
        <translation>Todas usan la contraseña «{password}». Haga clic en una para llenar el formulario.</translation>
    </message>
</context>
<context>
    <name>DemoServer</name>
    <message>
        <source>Physician: writes prescriptions</source>
        <translation>Médico: escribe recetas</translation>
    </message>
    <message>
        <source>Physician at another clinic</source>
        <translation>Médico de otra clínica</translation>
    </message>
    <message>
        <source>Clinic staff: prepares drafts</source>
        <translation>Personal de la clínica: prepara borradores</translation>
    </message>
    <message>
        <source>Reviews and approves</source>
        <translation>Revisa y aprueba</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <source>Demo mode needs the pharmacy server, which is not installed. Install it with: pip install &apos;iv-prescriber-portal[server]&apos;</source>
        <translation>El modo de demostración necesita el servidor de la farmacia, que no está instalado. Instálelo con: pip install &apos;iv-prescriber-portal[server]&apos;</translation>
    </message>
    <message>
        <source>The demo server stopped while starting (exit code {returncode}). Details are in {log_path}.</source>
        <translation>El servidor de demostración se detuvo al iniciarse (código de salida {returncode}). Los detalles están en {log_path}.</translation>
    </message>
    <message>
        <source>The demo server did not start within {timeout_s:g} s.</source>
        <translation>El servidor de demostración no se inició en {timeout_s:g} s.</translation>
    </message>
</context>
<context>
    <name>DiagnosticsAction</name>
    <message>
        <source>Copy diagnostics</source>
        <translation>Copiar diagnóstico</translation>
    </message>
    <message>
        <source>Copy versions, settings and the recent log for support</source>
        <translation>Copiar las versiones, la configuración y el registro reciente para soporte</translation>
    </message>
</context>
<context>
    <name>Dispensing</name>
    <message>
        <source>The clinic</source>
        <translation>La clínica</translation>
    </message>
    <message>
        <source>The patient&apos;s address</source>
        <translation>El domicilio del paciente</translation>
    </message>
    <message>
        <source>Weekly</source>
        <translation>Semanal</translation>
    </message>
    <message>
        <source>Every {weeks} weeks</source>
        <translation>Cada {weeks} semanas</translation>
    </message>
    <message>
        <source>Daily</source>
        <translation>Diaria</translation>
    </message>
    <message>
        <source>Every {days} days</source>
        <translation>Cada {days} días</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Cantidad</translation>
    </message>
    <message>
        <source>1 bag per infusion</source>
        <translation>1 bolsa por infusión</translation>
    </message>
    <message>
        <source>{bags} bags per infusion</source>
        <translation>{bags} bolsas por infusión</translation>
    </message>
    <message>
        <source>Series</source>
        <translation>Serie</translation>
    </message>
    <message>
        <source>Infusions</source>
        <translation>Infusiones</translation>
    </message>
    <message>
        <source>1 bag</source>
        <translation>1 bolsa</translation>
    </message>
    <message>
        <source>{bags} bags</source>
        <translation>{bags} bolsas</translation>
    </message>
    <message>
        <source>Ship to</source>
        <translation>Enviar a</translation>
    </message>
    <message>
        <source>Needed by</source>
        <translation>Fecha requerida</translation>
    </message>
    <message>
        <source>Dispensing note</source>
        <translation>Nota de dispensación</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;DISPENSING&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;DISPENSACIÓN&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Use by {date} · {storage}</source>
        <translation>Usar antes del {date} · {storage}</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;READY AT THE PHARMACY&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;LISTA EN LA FARMACIA&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Beyond-use date</source>
        <translation>Fecha límite de uso</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Almacenamiento</translation>
    </message>
</context>
<context>
    <name>DispensingCard</name>
    <message>
        <source>Dispensing</source>
        <translation>Dispensación</translation>
    </message>
    <message>
        <source>The clinic</source>
        <translation>La clínica</translation>
    </message>
    <message>
        <source>The patient&apos;s address</source>
        <translation>El domicilio del paciente</translation>
    </message>
    <message>
        <source>Optional: delivery times, who receives it, how to pack or label it</source>
        <translation>Opcional: horario de entrega, quién la recibe, cómo empaquetarla o etiquetarla</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>AAAA-MM-DD</translation>
    </message>
    <message>
        <source>one</source>
        <translation>una</translation>
    </message>
    <message>
        <source>Quantity</source>
        <translation>Cantidad</translation>
    </message>
    <message>
        <source>bags</source>
        <translation>bolsas</translation>
    </message>
    <message>
        <source>Ship to</source>
        <translation>Enviar a</translation>
    </message>
    <message>
        <source>Needed by</source>
        <translation>Fecha requerida</translation>
    </message>
    <message>
        <source>Infusions in the series</source>
        <translation>Infusiones de la serie</translation>
    </message>
    <message>
        <source>Every</source>
        <translation>Cada</translation>
    </message>
    <message>
        <source>days</source>
        <translation>días</translation>
    </message>
    <message>
        <source>First infusion</source>
        <translation>Primera infusión</translation>
    </message>
    <message>
        <source>Patient&apos;s address</source>
        <translation>Domicilio del paciente</translation>
    </message>
    <message>
        <source>Patient&apos;s phone</source>
        <translation>Teléfono del paciente</translation>
    </message>
    <message>
        <source>Dispensing note</source>
        <translation>Nota de dispensación</translation>
    </message>
    <message>
        <source>Infusions on %1</source>
        <translation>Infusiones el %1</translation>
    </message>
</context>
<context>
    <name>DraftsView</name>
    <message>
        <source>Prepared for you by clinic staff</source>
        <translation>Preparados para usted por el personal de la clínica</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Prepared</source>
        <translation>Preparado</translation>
    </message>
    <message>
        <source>Drafts prepared for you</source>
        <translation>Borradores preparados para usted</translation>
    </message>
    <message>
        <source>Your drafts on this computer</source>
        <translation>Sus borradores en esta computadora</translation>
    </message>
    <message>
        <source>Every prescription you compose is saved here, encrypted, within a second of your last change. Double-click a draft to continue it.</source>
        <translation>Cada receta que redacta se guarda aquí, cifrada, en menos de un segundo desde su último cambio. Haga doble clic en un borrador para continuarlo.</translation>
    </message>
    <message>
        <source>Last saved</source>
        <translation>Último guardado</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Borradores</translation>
    </message>
    <message>
        <source>No drafts. Press “New prescription” to start one.</source>
        <translation>No hay borradores. Pulse «Nueva receta» para empezar uno.</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Continue this draft</source>
        <translation>Continuar este borrador</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>Delete this draft for good</source>
        <translation>Eliminar este borrador definitivamente</translation>
    </message>
    <message>
        <source>Open to sign</source>
        <translation>Abrir para firmar</translation>
    </message>
    <message>
        <source>Review it in the composer, then sign and submit it</source>
        <translation>Revíselo en el editor y luego fírmelo y envíelo</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <source>Reference for support: {request_id}</source>
        <translation>Referencia para soporte: {request_id}</translation>
    </message>
    <message>
        <source>The pharmacy sent an answer this version cannot read: {field}</source>
        <translation>La farmacia envió una respuesta que esta versión no puede leer: {field}</translation>
    </message>
</context>
<context>
    <name>FavoriteDialog</name>
    <message>
        <source>This name {reason}.</source>
        <translation>Este nombre {reason}.</translation>
    </message>
</context>
<context>
    <name>FavoriteNameDialog</name>
    <message>
        <source>Favorite&apos;s name</source>
        <translation>Nombre del favorito</translation>
    </message>
    <message>
        <source>For example: Myers&apos; — my usual</source>
        <translation>Por ejemplo: Myers — mi habitual</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <source>This name {reason}.</source>
        <translation>Este nombre {reason}.</translation>
    </message>
</context>
<context>
    <name>FavoriteOrders</name>
    <message>
        <source>Save as favorite…</source>
        <translation>Guardar como favorito…</translation>
    </message>
    <message>
        <source>Keep these doses, vehicle and access under a name, without the patient</source>
        <translation>Guardar estas dosis, vehículo y acceso con un nombre, sin el paciente</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Eliminar</translation>
    </message>
    <message>
        <source>Your favorites could not be loaded or opened: {error}</source>
        <translation>No se pudieron cargar ni abrir sus favoritos: {error}</translation>
    </message>
    <message>
        <source>Rename favorite…</source>
        <translation>Cambiar el nombre del favorito…</translation>
    </message>
    <message>
        <source>Delete favorite…</source>
        <translation>Eliminar favorito…</translation>
    </message>
    <message>
        <source>Choose a template first: a favorite is an order of one template.</source>
        <translation>Elija primero una plantilla: un favorito es una orden de una plantilla.</translation>
    </message>
    <message>
        <source>Save as favorite</source>
        <translation>Guardar como favorito</translation>
    </message>
    <message>
        <source>Save the doses, vehicle, access and infusion time of this {template} order. The patient is not saved.</source>
        <translation>Guardar las dosis, el vehículo, el acceso y el tiempo de infusión de esta orden de {template}. El paciente no se guarda.</translation>
    </message>
    <message>
        <source>Saved as your favorite “{name}”.</source>
        <translation>Guardado como su favorito «{name}».</translation>
    </message>
    <message>
        <source>Rename favorite</source>
        <translation>Cambiar el nombre del favorito</translation>
    </message>
    <message>
        <source>A new name for “{name}”.</source>
        <translation>Un nombre nuevo para «{name}».</translation>
    </message>
    <message>
        <source>Delete favorite</source>
        <translation>Eliminar favorito</translation>
    </message>
    <message>
        <source>Delete your favorite “{name}”?</source>
        <translation>¿Eliminar su favorito «{name}»?</translation>
    </message>
</context>
<context>
    <name>Favorites</name>
    <message>
        <source>Started from your favorite “{name}”. Check the patient, then sign.</source>
        <translation>Iniciado desde su favorito «{name}». Revise el paciente y luego firme.</translation>
    </message>
    <message>
        <source>The template of “{name}” is no longer offered by the pharmacy. Choose another template.</source>
        <translation>La farmacia ya no ofrece la plantilla de «{name}». Elija otra plantilla.</translation>
    </message>
</context>
<context>
    <name>FieldClarification</name>
    <message>
        <source>{change} proposed by {name}</source>
        <translation>{change} propuesto por {name}</translation>
    </message>
    <message>
        <source>proposed by {name}</source>
        <translation>propuesto por {name}</translation>
    </message>
    <message>
        <source>No field changed.</source>
        <translation>No cambió ningún campo.</translation>
    </message>
    <message>
        <source>Version {number} (current), signed by {name}</source>
        <translation>Versión {number} (actual), firmada por {name}</translation>
    </message>
    <message>
        <source>Version {number}, signed by {name}</source>
        <translation>Versión {number}, firmada por {name}</translation>
    </message>
    <message>
        <source>Changed from version {number}:</source>
        <translation>Cambios respecto de la versión {number}:</translation>
    </message>
    <message>
        <source>As the prescriber first signed it.</source>
        <translation>Tal como la firmó primero el prescriptor.</translation>
    </message>
    <message>
        <source>Content SHA-256: {digest}</source>
        <translation>SHA-256 del contenido: {digest}</translation>
    </message>
    <message>
        <source>The order changes as the pharmacist proposed:</source>
        <translation>La orden cambia como propuso el farmacéutico:</translation>
    </message>
    <message>
        <source>The pharmacy server&apos;s checks on the changed order:</source>
        <translation>Las verificaciones del servidor de la farmacia sobre la orden modificada:</translation>
    </message>
    <message>
        <source>No findings.</source>
        <translation>Sin hallazgos.</translation>
    </message>
</context>
<context>
    <name>FieldClarifications</name>
    <message>
        <source>Ask about a field…</source>
        <translation>Preguntar por un campo…</translation>
    </message>
    <message>
        <source>Propose a value for one field of the order, with a message</source>
        <translation>Proponer un valor para un campo de la orden, con un mensaje</translation>
    </message>
    <message>
        <source>Version shown</source>
        <translation>Versión mostrada</translation>
    </message>
    <message>
        <source>Proposed change and versions</source>
        <translation>Cambio propuesto y versiones</translation>
    </message>
    <message>
        <source>Answer in words</source>
        <translation>Responder con palabras</translation>
    </message>
    <message>
        <source>Accept and re-sign</source>
        <translation>Aceptar y volver a firmar</translation>
    </message>
    <message>
        <source>Version {number}</source>
        <translation>Versión {number}</translation>
    </message>
    <message>
        <source>Proposed change</source>
        <translation>Cambio propuesto</translation>
    </message>
    <message>
        <source>The question about {reference} was sent to the prescriber.</source>
        <translation>La pregunta sobre {reference} se envió al prescriptor.</translation>
    </message>
    <message>
        <source>This order changed since it was shown. Refresh and look again.</source>
        <translation>Esta orden cambió desde que se mostró. Actualice y revísela de nuevo.</translation>
    </message>
    <message>
        <source>The pharmacy server&apos;s checks block the changed order; answer in words instead.</source>
        <translation>Las verificaciones del servidor de la farmacia bloquean la orden modificada; responda con palabras.</translation>
    </message>
    <message>
        <source>Accept the change and sign again</source>
        <translation>Aceptar el cambio y volver a firmar</translation>
    </message>
    <message>
        <source>Version {number} of {reference} is signed and back with the pharmacy.</source>
        <translation>La versión {number} de {reference} está firmada y de vuelta en la farmacia.</translation>
    </message>
</context>
<context>
    <name>FindingRow</name>
    <message>
        <source>Show the field concerned</source>
        <translation>Mostrar el campo afectado</translation>
    </message>
    <message>
        <source>Source: {source}</source>
        <translation>Fuente: {source}</translation>
    </message>
    <message>
        <source>Your reason to go ahead (required)</source>
        <translation>Su motivo para continuar (obligatorio)</translation>
    </message>
    <message>
        <source>Reason for: {message}</source>
        <translation>Motivo para: {message}</translation>
    </message>
</context>
<context>
    <name>FirstRunWindow</name>
    <message>
        <source>{app} — Connect to your pharmacy</source>
        <translation>{app} — Conéctese con su farmacia</translation>
    </message>
    <message>
        <source>Connect to your pharmacy</source>
        <translation>Conéctese con su farmacia</translation>
    </message>
    <message>
        <source>Enter the address of your pharmacy&apos;s server, as the pharmacy gave it to you. It is checked before it is saved.</source>
        <translation>Escriba la dirección del servidor de su farmacia, tal como se la dio la farmacia. Se comprueba antes de guardarla.</translation>
    </message>
    <message>
        <source>Pharmacy server address</source>
        <translation>Dirección del servidor de la farmacia</translation>
    </message>
    <message>
        <source>Pharmacy CA certificate (optional)</source>
        <translation>Certificado de la CA de la farmacia (opcional)</translation>
    </message>
    <message>
        <source>Only if the pharmacy gave you a certificate file</source>
        <translation>Solo si la farmacia le dio un archivo de certificado</translation>
    </message>
    <message>
        <source>Pharmacy CA certificate file</source>
        <translation>Archivo del certificado de la CA de la farmacia</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Elegir…</translation>
    </message>
    <message>
        <source>Check and continue</source>
        <translation>Comprobar y continuar</translation>
    </message>
    <message>
        <source>Pharmacy CA certificate</source>
        <translation>Certificado de la CA de la farmacia</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer);;All files (*)</source>
        <translation>Certificados (*.pem *.crt *.cer);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <source>Contacting {url}…</source>
        <translation>Conectando con {url}…</translation>
    </message>
</context>
<context>
    <name>IngredientsCard</name>
    <message>
        <source>Ingredients</source>
        <translation>Ingredientes</translation>
    </message>
    <message>
        <source>Choose a template to see its ingredients.</source>
        <translation>Elija una plantilla para ver sus ingredientes.</translation>
    </message>
    <message>
        <source>Ingredient</source>
        <translation>Ingrediente</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Cantidad</translation>
    </message>
    <message>
        <source>Allowed</source>
        <translation>Límites</translation>
    </message>
    <message>
        <source>Typical</source>
        <translation>Habitual</translation>
    </message>
    <message>
        <source>The reference range for this ingredient is unverified: the pharmacist will confirm the amount.</source>
        <translation>El rango de referencia de este ingrediente no está verificado: el farmacéutico confirmará la cantidad.</translation>
    </message>
    <message>
        <source>{name} dose</source>
        <translation>Dosis de {name}</translation>
    </message>
</context>
<context>
    <name>Interpretation</name>
    <message>
        <source>normal</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>abnormal</source>
        <translation>anormal</translation>
    </message>
    <message>
        <source>low</source>
        <translation>bajo</translation>
    </message>
    <message>
        <source>high</source>
        <translation>alto</translation>
    </message>
    <message>
        <source>critical</source>
        <translation>crítico</translation>
    </message>
    <message>
        <source>deficient</source>
        <translation>deficiente</translation>
    </message>
    <message>
        <source>intermediate</source>
        <translation>intermedio</translation>
    </message>
    <message>
        <source>indeterminate</source>
        <translation>indeterminado</translation>
    </message>
    <message>
        <source>positive</source>
        <translation>positivo</translation>
    </message>
    <message>
        <source>negative</source>
        <translation>negativo</translation>
    </message>
    <message>
        <source>present</source>
        <translation>presente</translation>
    </message>
    <message>
        <source>absent</source>
        <translation>ausente</translation>
    </message>
</context>
<context>
    <name>Keystore</name>
    <message>
        <source>Drafts will not survive a restart because no system keyring is available.</source>
        <translation>Los borradores no se conservarán al reiniciar porque no hay un llavero del sistema disponible.</translation>
    </message>
    <message>
        <source>Drafts will not survive a restart because the system keyring did not answer in time.</source>
        <translation>Los borradores no se conservarán al reiniciar porque el llavero del sistema no respondió a tiempo.</translation>
    </message>
    <message>
        <source>Drafts will not survive a restart because the drafts key in the system keyring is damaged.</source>
        <translation>Los borradores no se conservarán al reiniciar porque la clave de los borradores en el llavero del sistema está dañada.</translation>
    </message>
</context>
<context>
    <name>Lab</name>
    <message>
        <source>G6PD</source>
        <translation>G6PD</translation>
    </message>
    <message>
        <source>Creatinine</source>
        <translation>Creatinina</translation>
    </message>
    <message>
        <source>eGFR</source>
        <translation>TFGe</translation>
    </message>
    <message>
        <source>BUN</source>
        <translation>BUN (nitrógeno ureico)</translation>
    </message>
    <message>
        <source>Blood glucose</source>
        <translation>Glucosa en sangre</translation>
    </message>
    <message>
        <source>Triglycerides</source>
        <translation>Triglicéridos</translation>
    </message>
    <message>
        <source>Sodium</source>
        <translation>Sodio</translation>
    </message>
    <message>
        <source>Potassium</source>
        <translation>Potasio</translation>
    </message>
    <message>
        <source>Magnesium</source>
        <translation>Magnesio</translation>
    </message>
    <message>
        <source>Phosphate</source>
        <translation>Fosfato</translation>
    </message>
    <message>
        <source>Calcium</source>
        <translation>Calcio</translation>
    </message>
    <message>
        <source>Albumin</source>
        <translation>Albúmina</translation>
    </message>
    <message>
        <source>ALT</source>
        <translation>ALT</translation>
    </message>
    <message>
        <source>AST</source>
        <translation>AST</translation>
    </message>
    <message>
        <source>Hemoglobin</source>
        <translation>Hemoglobina</translation>
    </message>
    <message>
        <source>History of oxalate kidney stones</source>
        <translation>Antecedentes de cálculos renales de oxalato</translation>
    </message>
    <message>
        <source>On a sodium restriction</source>
        <translation>Con restricción de sodio</translation>
    </message>
</context>
<context>
    <name>LabsCard</name>
    <message>
        <source>Lab results</source>
        <translation>Resultados de laboratorio</translation>
    </message>
    <message>
        <source>Dated results the pharmacy&apos;s checks need (e.g. G6PD before high-dose vitamin C, creatinine or eGFR for renal function).</source>
        <translation>Resultados con fecha que necesitan las verificaciones de la farmacia (p. ej., G6PD antes de vitamina C en dosis altas, creatinina o TFGe para la función renal).</translation>
    </message>
    <message>
        <source>Lab</source>
        <translation>Prueba</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Unidad</translation>
    </message>
    <message>
        <source>Interpretation</source>
        <translation>Interpretación</translation>
    </message>
    <message>
        <source>Add lab result</source>
        <translation>Agregar resultado de laboratorio</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>AAAA-MM-DD</translation>
    </message>
    <message>
        <source>e.g. mg/dL</source>
        <translation>p. ej. mg/dL</translation>
    </message>
    <message>
        <source>Remove this result</source>
        <translation>Quitar este resultado</translation>
    </message>
    <message>
        <source>Lab result {number} {part}</source>
        <translation>Resultado de laboratorio {number}: {part}</translation>
    </message>
    <message>
        <source>Remove lab result {number}</source>
        <translation>Quitar el resultado de laboratorio {number}</translation>
    </message>
</context>
<context>
    <name>LanguageRow</name>
    <message>
        <source>Language:</source>
        <translation>Idioma:</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
    <message>
        <source>The language of the portal&apos;s windows</source>
        <translation>El idioma de las ventanas del portal</translation>
    </message>
    <message>
        <source>As the system</source>
        <translation>Como el sistema</translation>
    </message>
    <message>
        <source>The portal follows the system&apos;s language the next time it starts.</source>
        <translation>El portal usará el idioma del sistema la próxima vez que se inicie.</translation>
    </message>
</context>
<context>
    <name>LicenceDialog</name>
    <message>
        <source>Change licence expiry</source>
        <translation>Cambiar el vencimiento de la licencia</translation>
    </message>
    <message>
        <source>Licence {licence} of {name}</source>
        <translation>Licencia {licence} de {name}</translation>
    </message>
    <message>
        <source>Licence expiry date</source>
        <translation>Fecha de vencimiento de la licencia</translation>
    </message>
    <message>
        <source>A past date stops the prescriber signing from that day.</source>
        <translation>Una fecha pasada impide que el prescriptor firme desde ese día.</translation>
    </message>
    <message>
        <source>Save expiry date</source>
        <translation>Guardar la fecha de vencimiento</translation>
    </message>
</context>
<context>
    <name>LifecycleActions</name>
    <message>
        <source>{reference} is no longer available to you: {error_detail}</source>
        <translation>{reference} ya no está disponible para usted: {error_detail}</translation>
    </message>
    <message>
        <source>Nothing was recorded for {reference}: {error}</source>
        <translation>No se registró nada para {reference}: {error}</translation>
    </message>
</context>
<context>
    <name>ListView</name>
    <message>
        <source>Save as FHIR</source>
        <translation>Guardar como FHIR</translation>
    </message>
    <message>
        <source>FHIR JSON (*.json);;All files (*)</source>
        <translation>FHIR JSON (*.json);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Select a prescription to see it in full.</source>
        <translation>Seleccione una receta para verla completa.</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Locked</source>
        <translation>Bloqueado</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>Enter the 6-digit code from your authenticator app.</source>
        <translation>Escriba el código de 6 dígitos de su aplicación de autenticación.</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Desbloquear</translation>
    </message>
    <message>
        <source>Not {display_name}? Sign out</source>
        <translation>¿No es {display_name}? Cerrar sesión</translation>
    </message>
    <message>
        <source>{app} locked itself after 15 minutes without use. Your open work is kept. Enter your password to continue.</source>
        <translation>{app} se bloqueó tras 15 minutos sin uso. Su trabajo abierto se conserva. Escriba su contraseña para continuar.</translation>
    </message>
    <message>
        <source>Sign in again</source>
        <translation>Inicie sesión de nuevo</translation>
    </message>
    <message>
        <source>Your session has ended. </source>
        <translation>Su sesión terminó. </translation>
    </message>
    <message>
        <source>Sign in again to continue where you left off; your open work is kept.</source>
        <translation>Inicie sesión de nuevo para continuar donde se quedó; su trabajo abierto se conserva.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>Enter the 6 digits the authenticator shows.</source>
        <translation>Escriba los 6 dígitos que muestra la aplicación de autenticación.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>Verificar</translation>
    </message>
    <message>
        <source>That password is not right. Try again.</source>
        <translation>Esa contraseña no es correcta. Vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>Unexpected problem ({name}).</source>
        <translation>Problema inesperado ({name}).</translation>
    </message>
    <message>
        <source>Authenticator code</source>
        <translation>Código de autenticación</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>{app} — Locked</source>
        <translation>{app} — Bloqueado</translation>
    </message>
    <message>
        <source>Prescriptions not yet sent</source>
        <translation>Recetas aún no enviadas</translation>
    </message>
</context>
<context>
    <name>Marked</name>
    <message>
        <source>The prescriber sees your question with the prescription and answers it in the portal. Until then it waits under “Waiting for the prescriber”.</source>
        <translation>El prescriptor ve su pregunta junto con la receta y la responde en el portal. Mientras tanto, queda en «En espera del prescriptor».</translation>
    </message>
    <message>
        <source>The pharmacist reads your answer with the prescription and reviews it again.</source>
        <translation>El farmacéutico lee su respuesta junto con la receta y la revisa de nuevo.</translation>
    </message>
    <message>
        <source>The pharmacy will not prepare this prescription. Cancelling cannot be undone: to change an order, cancel it and sign a new one.</source>
        <translation>La farmacia no preparará esta receta. La cancelación no se puede deshacer: para cambiar una orden, cancélela y firme una nueva.</translation>
    </message>
    <message>
        <source>The prescriber sees this reason. Say what must change for the pharmacy to accept it.</source>
        <translation>El prescriptor ve este motivo. Indique qué debe cambiar para que la farmacia la acepte.</translation>
    </message>
    <message>
        <source>Optional. The prescriber sees it in the prescription&apos;s history.</source>
        <translation>Opcional. El prescriptor lo ve en el historial de la receta.</translation>
    </message>
    <message>
        <source>The prescriber sees the beyond-use date and storage with the prescription; the note is optional.</source>
        <translation>El prescriptor ve la fecha límite de uso y el almacenamiento con la receta; la nota es opcional.</translation>
    </message>
    <message>
        <source>Reject prescription</source>
        <translation>Rechazar la receta</translation>
    </message>
    <message>
        <source>e.g. Magnesium exceeds the peripheral limit; please reduce to 2 g or order central access.</source>
        <translation>p. ej. El magnesio supera el límite periférico; reduzca a 2 g u ordene un acceso central.</translation>
    </message>
    <message>
        <source>Show “{text}” (review queue)</source>
        <translation>Mostrar «{text}» (cola de revisión)</translation>
    </message>
    <message>
        <source>Start a new prescription</source>
        <translation>Empezar una receta nueva</translation>
    </message>
    <message>
        <source>Lock the window now</source>
        <translation>Bloquear la ventana ahora</translation>
    </message>
    <message>
        <source>Quit (asks first when prescriptions are not yet sent)</source>
        <translation>Salir (pregunta antes si hay recetas sin enviar)</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Deshacer</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Rehacer</translation>
    </message>
    <message>
        <source>Cut</source>
        <translation>Cortar</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copiar</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>Pegar</translation>
    </message>
    <message>
        <source>Select all</source>
        <translation>Seleccionar todo</translation>
    </message>
    <message>
        <source>Refresh the list now</source>
        <translation>Actualizar la lista ahora</translation>
    </message>
    <message>
        <source>Print a copy of the selected prescription</source>
        <translation>Imprimir una copia de la receta seleccionada</translation>
    </message>
    <message>
        <source>Repeat the selected prescription (prescribers)</source>
        <translation>Repetir la receta seleccionada (prescriptores)</translation>
    </message>
    <message>
        <source>Save the order being composed as a favorite (prescribers)</source>
        <translation>Guardar la orden en redacción como favorito (prescriptores)</translation>
    </message>
    <message>
        <source>Show the clinic&apos;s patients (prescribers)</source>
        <translation>Mostrar los pacientes de la clínica (prescriptores)</translation>
    </message>
    <message>
        <source>Show the keyboard shortcuts</source>
        <translation>Mostrar los atajos de teclado</translation>
    </message>
    <message>
        <source>Sign the prescription (in the composer)</source>
        <translation>Firmar la receta (en el editor)</translation>
    </message>
    <message>
        <source>Sign the prescription (keypad Enter)</source>
        <translation>Firmar la receta (Intro del teclado numérico)</translation>
    </message>
    <message>
        <source>Prescriber</source>
        <translation>Prescriptor</translation>
    </message>
    <message>
        <source>Clinic staff</source>
        <translation>Personal de la clínica</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pendientes</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Aprobada</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rechazada</translation>
    </message>
    <message>
        <source>Requested (UTC)</source>
        <translation>Solicitada (UTC)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Nombre de usuario</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <source>Clinic</source>
        <translation>Clínica</translation>
    </message>
    <message>
        <source>Licence</source>
        <translation>Licencia</translation>
    </message>
    <message>
        <source>E-mail</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Quién</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Objeto</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <source> Sign and submit…</source>
        <translation> Firmar y enviar…</translation>
    </message>
    <message>
        <source> Signing…</source>
        <translation> Firmando…</translation>
    </message>
    <message>
        <source>&lt;span style=&apos;background:#FFF4D6;color:#8A5A00;font-size:8pt;font-weight:600;&apos;&gt;&amp;nbsp;PHARMACY TO CONFIRM&amp;nbsp;&lt;/span&gt;</source>
        <translation>&lt;span style=&apos;background:#FFF4D6;color:#8A5A00;font-size:8pt;font-weight:600;&apos;&gt;&amp;nbsp;A CONFIRMAR POR LA FARMACIA&amp;nbsp;&lt;/span&gt;</translation>
    </message>
    <message>
        <source>test</source>
        <translation>prueba</translation>
    </message>
    <message>
        <source>date</source>
        <translation>fecha</translation>
    </message>
    <message>
        <source>value</source>
        <translation>valor</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>unidad</translation>
    </message>
    <message>
        <source>interpretation</source>
        <translation>interpretación</translation>
    </message>
    <message>
        <source>Prescription</source>
        <translation>Receta</translation>
    </message>
    <message>
        <source>Drafts are unavailable on this computer: {error}</source>
        <translation>Los borradores no están disponibles en esta computadora: {error}</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>En línea</translation>
    </message>
    <message>
        <source>Connected to the pharmacy server.</source>
        <translation>Conectado al servidor de la farmacia.</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>The pharmacy server cannot be reached. Your work is kept on this computer and signed prescriptions are sent as soon as the connection is back.</source>
        <translation>No se puede conectar con el servidor de la farmacia. Su trabajo se conserva en esta computadora y las recetas firmadas se envían en cuanto vuelva la conexión.</translation>
    </message>
    <message>
        <source>Server unavailable</source>
        <translation>Servidor no disponible</translation>
    </message>
    <message>
        <source>The pharmacy server answered with a problem. Signed prescriptions are kept and sent again automatically.</source>
        <translation>El servidor de la farmacia respondió con un problema. Las recetas firmadas se conservan y se vuelven a enviar automáticamente.</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <source>Checking the connection.</source>
        <translation>Comprobando la conexión.</translation>
    </message>
    <message>
        <source>Sign out anyway?</source>
        <translation>¿Cerrar sesión de todos modos?</translation>
    </message>
    <message>
        <source>Quit anyway?</source>
        <translation>¿Salir de todos modos?</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>Referencia</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Submitted</source>
        <translation>Enviada</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Actualizado</translation>
    </message>
    <message>
        <source>Needed by</source>
        <translation>Fecha requerida</translation>
    </message>
    <message>
        <source>{reference} · {name} reviewing</source>
        <translation>{reference} · revisa {name}</translation>
    </message>
    <message>
        <source>Newest</source>
        <translation>Más recientes</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Aprobar</translation>
    </message>
    <message>
        <source>Confirm approval</source>
        <translation>Confirmar la aprobación</translation>
    </message>
    <message>
        <source>Start compounding</source>
        <translation>Iniciar la preparación</translation>
    </message>
    <message>
        <source>Drafts and signing are unavailable on this computer: {error}</source>
        <translation>Los borradores y la firma no están disponibles en esta computadora: {error}</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Borrador</translation>
    </message>
    <message>
        <source>Autosave is unavailable on this computer: {error}. Save for the prescriber often.</source>
        <translation>El guardado automático no está disponible en esta computadora: {error}. Guarde para el prescriptor con frecuencia.</translation>
    </message>
    <message>
        <source>Licence expires</source>
        <translation>Vencimiento de la licencia</translation>
    </message>
    <message>
        <source>Two-factor</source>
        <translation>Doble factor</translation>
    </message>
    <message>
        <source>Signed in</source>
        <translation>Inicio de sesión</translation>
    </message>
    <message>
        <source>Last used</source>
        <translation>Último uso</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <source>Client</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <source>Pharmacist</source>
        <translation>Farmacéutico</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Versión</translation>
    </message>
    <message>
        <source>Drafted by</source>
        <translation>Redactada por</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Published by</source>
        <translation>Publicada por</translation>
    </message>
    <message>
        <source>Published</source>
        <translation>Publicada</translation>
    </message>
    <message>
        <source>Retired</source>
        <translation>Retirada</translation>
    </message>
</context>
<context>
    <name>MessagePanel</name>
    <message>
        <source>Messages on this order</source>
        <translation>Mensajes de esta orden</translation>
    </message>
    <message>
        <source>Write a message</source>
        <translation>Escribir un mensaje</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
    <message>
        <source>Send the message</source>
        <translation>Enviar el mensaje</translation>
    </message>
    <message>
        <source>Send the message (Ctrl+Enter)</source>
        <translation>Enviar el mensaje (Ctrl+Enter)</translation>
    </message>
    <message>
        <source>Message not sent</source>
        <translation>Mensaje no enviado</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <source>Write a message first.</source>
        <translation>Escriba primero un mensaje.</translation>
    </message>
    <message>
        <source>A message holds at most {limit} characters.</source>
        <translation>Un mensaje admite como máximo {limit} caracteres.</translation>
    </message>
    <message>
        <source>The message holds characters that cannot be sent.</source>
        <translation>El mensaje contiene caracteres que no se pueden enviar.</translation>
    </message>
    <message>
        <source>No answer from the server: the message may have arrived. Send again: it will not be doubled.</source>
        <translation>El servidor no respondió: puede que el mensaje haya llegado. Envíelo de nuevo: no se duplicará.</translation>
    </message>
    <message>
        <source>Not sent: the server cannot be reached. Send again later.</source>
        <translation>No enviado: no se puede conectar con el servidor. Vuelva a enviarlo más tarde.</translation>
    </message>
    <message>
        <source>Not sent: {reason}</source>
        <translation>No enviado: {reason}</translation>
    </message>
    <message>
        <source>Not sent: something went wrong.</source>
        <translation>No enviado: algo salió mal.</translation>
    </message>
    <message>
        <source>{reference} · {count} new</source>
        <translation>{reference} · {count} nuevos</translation>
    </message>
    <message>
        <source>No unread messages</source>
        <translation>No hay mensajes sin leer</translation>
    </message>
    <message>
        <source>1 unread message</source>
        <translation>1 mensaje sin leer</translation>
    </message>
    <message>
        <source>{count} unread messages</source>
        <translation>{count} mensajes sin leer</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
    <message>
        <source>Messages ({count})</source>
        <translation>Mensajes ({count})</translation>
    </message>
    <message>
        <source>You · {when}</source>
        <translation>Usted · {when}</translation>
    </message>
    <message>
        <source>{name} (pharmacy) · {when}</source>
        <translation>{name} (farmacia) · {when}</translation>
    </message>
    <message>
        <source>{name} (prescriber) · {when}</source>
        <translation>{name} (prescriptor) · {when}</translation>
    </message>
    <message>
        <source>No messages yet. Write to the other side below.</source>
        <translation>Aún no hay mensajes. Escriba a la otra parte abajo.</translation>
    </message>
</context>
<context>
    <name>NewPasswordFields</name>
    <message>
        <source>New password</source>
        <translation>Contraseña nueva</translation>
    </message>
    <message>
        <source>Repeat the new password</source>
        <translation>Repita la contraseña nueva</translation>
    </message>
    <message>
        <source>Repeat it</source>
        <translation>Repítala</translation>
    </message>
    <message>
        <source>The two entries differ.</source>
        <translation>Las dos entradas no coinciden.</translation>
    </message>
    <message>
        <source>Repeat the password.</source>
        <translation>Repita la contraseña.</translation>
    </message>
    <message>
        <source>✓ Good. Any characters work; a few unrelated words are easy to remember.</source>
        <translation>✓ Bien. Sirve cualquier carácter; unas pocas palabras sin relación son fáciles de recordar.</translation>
    </message>
    <message>
        <source>At least {minimum} characters. No rules about symbols or digits: a phrase of a few unrelated words is strong and easy to remember.</source>
        <translation>Al menos {minimum} caracteres. Sin reglas de símbolos ni dígitos: una frase de unas pocas palabras sin relación entre sí es segura y fácil de recordar.</translation>
    </message>
    <message>
        <source>The pharmacy refused this password: it {reasons}.</source>
        <translation>La farmacia rechazó esta contraseña (respuesta del servidor: «it {reasons}»).</translation>
    </message>
</context>
<context>
    <name>NotesCard</name>
    <message>
        <source>Notes for the pharmacy</source>
        <translation>Notas para la farmacia</translation>
    </message>
    <message>
        <source>Optional: clinical context, timing, anything the pharmacist should know</source>
        <translation>Opcional: contexto clínico, horario, cualquier cosa que el farmacéutico deba saber</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notas</translation>
    </message>
</context>
<context>
    <name>Outbox</name>
    <message>
        <source>Waiting to be sent.</source>
        <translation>En espera de envío.</translation>
    </message>
    <message>
        <source>Not sent yet: the pharmacy server cannot be reached. It will be sent automatically.</source>
        <translation>Aún no se ha enviado: no se puede conectar con el servidor de la farmacia. Se enviará automáticamente.</translation>
    </message>
    <message>
        <source>Not sent yet: the pharmacy server asked us to wait. It will be sent automatically.</source>
        <translation>Aún no se ha enviado: el servidor de la farmacia pidió esperar. Se enviará automáticamente.</translation>
    </message>
    <message>
        <source>The pharmacy server had a problem. The prescription will be checked and sent again automatically.</source>
        <translation>El servidor de la farmacia tuvo un problema. La receta se comprobará y se volverá a enviar automáticamente.</translation>
    </message>
    <message>
        <source>Sent, but the pharmacy did not confirm receipt. It will be checked automatically; it will not be duplicated.</source>
        <translation>Enviada, pero la farmacia no confirmó la recepción. Se comprobará automáticamente; no se duplicará.</translation>
    </message>
    <message>
        <source>Sending was interrupted. It will be checked automatically; it will not be duplicated.</source>
        <translation>El envío se interrumpió. Se comprobará automáticamente; no se duplicará.</translation>
    </message>
    <message>
        <source>The pharmacy is still processing it. It will be checked again shortly.</source>
        <translation>La farmacia todavía la está procesando. Se comprobará de nuevo en breve.</translation>
    </message>
    <message>
        <source>Waiting for you to sign in again. Nothing is lost.</source>
        <translation>En espera de que vuelva a iniciar sesión. No se pierde nada.</translation>
    </message>
    <message>
        <source>The pharmacy refused it. Open it as a draft, correct it and sign again.</source>
        <translation>La farmacia la rechazó. Ábrala como borrador, corríjala y fírmela de nuevo.</translation>
    </message>
    <message>
        <source>The pharmacy refused it. Open it as a draft to review it.</source>
        <translation>La farmacia la rechazó. Ábrala como borrador para revisarla.</translation>
    </message>
    <message>
        <source>The pharmacy&apos;s copy does not match what you signed. Contact the pharmacy before sending it again.</source>
        <translation>La copia de la farmacia no coincide con lo que usted firmó. Comuníquese con la farmacia antes de enviarla de nuevo.</translation>
    </message>
    <message>
        <source>Not sent: your signature expired before the pharmacy received it. Sign it again to send it; nothing is lost.</source>
        <translation>No se envió: su firma venció antes de que la farmacia la recibiera. Fírmela de nuevo para enviarla; no se pierde nada.</translation>
    </message>
    <message>
        <source>Not sent: the pharmacy did not accept the signature. Sign it again to send it; nothing is lost.</source>
        <translation>No se envió: la farmacia no aceptó la firma. Fírmela de nuevo para enviarla; no se pierde nada.</translation>
    </message>
    <message>
        <source>The pharmacy could not confirm whether it received this prescription. It will be checked again automatically; it will not be duplicated.</source>
        <translation>La farmacia no pudo confirmar si recibió esta receta. Se comprobará de nuevo automáticamente; no se duplicará.</translation>
    </message>
    <message>
        <source>Something unexpected happened while sending. It will be checked and sent again automatically.</source>
        <translation>Ocurrió algo inesperado durante el envío. Se comprobará y se volverá a enviar automáticamente.</translation>
    </message>
    <message>
        <source>This draft has already been signed.</source>
        <translation>Este borrador ya se firmó.</translation>
    </message>
    <message>
        <source>Received by the pharmacy as {reference}.</source>
        <translation>Recibida por la farmacia como {reference}.</translation>
    </message>
    <message>
        <source>1 prescription not yet sent.</source>
        <translation>1 receta aún no enviada.</translation>
    </message>
    <message>
        <source>{count} prescriptions not yet sent.</source>
        <translation>{count} recetas aún no enviadas.</translation>
    </message>
    <message>
        <source>1 prescription needs your attention.</source>
        <translation>1 receta requiere su atención.</translation>
    </message>
    <message>
        <source>{count} prescriptions need your attention.</source>
        <translation>{count} recetas requieren su atención.</translation>
    </message>
    <message>
        <source>Only a prescription waiting for a signature can be signed again.</source>
        <translation>Solo se puede volver a firmar una receta que espera firma.</translation>
    </message>
    <message>
        <source>Only a prescription the pharmacy refused can be reopened.</source>
        <translation>Solo se puede reabrir una receta que la farmacia rechazó.</translation>
    </message>
    <message>
        <source>The pharmacy&apos;s copy does not match the signed prescription (expected {expected}…, pharmacy has {echoed}…).</source>
        <translation>La copia de la farmacia no coincide con la receta firmada (se esperaba {expected}…, la farmacia tiene {echoed}…).</translation>
    </message>
</context>
<context>
    <name>OutboxView</name>
    <message>
        <source>Signed prescriptions wait here, safely stored on this computer, until the pharmacy confirms it has them. They are sent automatically, never twice.</source>
        <translation>Las recetas firmadas esperan aquí, guardadas de forma segura en esta computadora, hasta que la farmacia confirme que las tiene. Se envían automáticamente, nunca dos veces.</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Detalles</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Firmada</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Bandeja de salida</translation>
    </message>
    <message>
        <source>Nothing signed yet.</source>
        <translation>Todavía no hay nada firmado.</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>Reabrir</translation>
    </message>
    <message>
        <source>Open it as a draft to correct it and sign again</source>
        <translation>Ábrala como borrador para corregirla y firmarla de nuevo</translation>
    </message>
    <message>
        <source>Sign again…</source>
        <translation>Firmar de nuevo…</translation>
    </message>
    <message>
        <source>Check it and sign it again; it keeps its place, never sent twice</source>
        <translation>Revísela y fírmela de nuevo; conserva su lugar y nunca se envía dos veces</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <source>Change password</source>
        <translation>Cambiar contraseña</translation>
    </message>
    <message>
        <source>&lt;b&gt;Change your password&lt;/b&gt;</source>
        <translation>&lt;b&gt;Cambie su contraseña&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Every place where you are signed in, this one included, is signed out afterwards; you then sign in again with the new password.</source>
        <translation>Después se cerrará la sesión en todos los lugares donde la tenga abierta, incluido este; luego inicie sesión de nuevo con la contraseña nueva.</translation>
    </message>
    <message>
        <source>Current password</source>
        <translation>Contraseña actual</translation>
    </message>
    <message>
        <source>Unexpected problem ({name}).</source>
        <translation>Problema inesperado ({name}).</translation>
    </message>
</context>
<context>
    <name>PatientCalls</name>
    <message>
        <source>This patient&apos;s record was changed by someone else since you opened it. Nothing was saved: review the record as it is now and make your change again.</source>
        <translation>Otra persona cambió la ficha de este paciente desde que la abrió. No se guardó nada: revise la ficha tal como está ahora y vuelva a hacer su cambio.</translation>
    </message>
</context>
<context>
    <name>PatientCard</name>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>AAAA-MM-DD</translation>
    </message>
    <message>
        <source>e.g. 70</source>
        <translation>p. ej. 70</translation>
    </message>
    <message>
        <source>e.g. 172</source>
        <translation>p. ej. 172</translation>
    </message>
    <message>
        <source>Separate with commas, e.g. penicillin, latex</source>
        <translation>Separe con comas, p. ej. penicilina, látex</translation>
    </message>
    <message>
        <source>Given name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Apellido</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Peso</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>Estatura</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
</context>
<context>
    <name>PatientDialog</name>
    <message>
        <source>New patient</source>
        <translation>Nuevo paciente</translation>
    </message>
    <message>
        <source>Edit patient</source>
        <translation>Editar paciente</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>AAAA-MM-DD</translation>
    </message>
    <message>
        <source>YYYY-MM-DD (today if empty)</source>
        <translation>AAAA-MM-DD (hoy si se deja vacío)</translation>
    </message>
    <message>
        <source>Separate with commas</source>
        <translation>Sepárelas con comas</translation>
    </message>
    <message>
        <source>Given name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Apellidos</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Address (for shipping to the patient)</source>
        <translation>Dirección (para enviar al paciente)</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
    <message>
        <source>Weight (kg)</source>
        <translation>Peso (kg)</translation>
    </message>
    <message>
        <source>Weight measured on</source>
        <translation>Fecha del peso</translation>
    </message>
    <message>
        <source>Height (cm)</source>
        <translation>Talla (cm)</translation>
    </message>
    <message>
        <source>Height measured on</source>
        <translation>Fecha de la talla</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
</context>
<context>
    <name>Patients</name>
    <message>
        <source>1 patient shown; there are more.</source>
        <translation>Se muestra 1 paciente; hay más.</translation>
    </message>
    <message>
        <source>1 patient.</source>
        <translation>1 paciente.</translation>
    </message>
    <message>
        <source>No patients match “{query}”.</source>
        <translation>Ningún paciente coincide con «{query}».</translation>
    </message>
    <message>
        <source>No patients yet. Press “New patient” to add one.</source>
        <translation>Aún no hay pacientes. Pulse «Nuevo paciente» para añadir uno.</translation>
    </message>
    <message>
        <source>Could not search: {error}</source>
        <translation>No se pudo buscar: {error}</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Buscando…</translation>
    </message>
    <message>
        <source>{count} patients shown; there are more.</source>
        <translation>Se muestran {count} pacientes; hay más.</translation>
    </message>
    <message>
        <source>{count} patients.</source>
        <translation>{count} pacientes.</translation>
    </message>
    <message>
        <source>{family}, {given} — {birth} ({age})</source>
        <translation>{family}, {given} — {birth} ({age})</translation>
    </message>
    <message>
        <source>not recorded</source>
        <translation>no registrado</translation>
    </message>
    <message>
        <source>{value} {unit} (measured {date})</source>
        <translation>{value} {unit} (medido el {date})</translation>
    </message>
    <message>
        <source>None recorded</source>
        <translation>Ninguna registrada</translation>
    </message>
    <message>
        <source>Given name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Family name</source>
        <translation>Apellidos</translation>
    </message>
    <message>
        <source>{field} is required.</source>
        <translation>{field} es obligatorio.</translation>
    </message>
    <message>
        <source>Date of birth must be a date as YYYY-MM-DD.</source>
        <translation>La fecha de nacimiento debe ser una fecha AAAA-MM-DD.</translation>
    </message>
    <message>
        <source>Date of birth must be in the past and within 130 years.</source>
        <translation>La fecha de nacimiento debe ser pasada y de hace menos de 130 años.</translation>
    </message>
    <message>
        <source>Choose the patient&apos;s sex.</source>
        <translation>Elija el sexo del paciente.</translation>
    </message>
    <message>
        <source>Must be a number from {low} to {high}.</source>
        <translation>Debe ser un número de {low} a {high}.</translation>
    </message>
    <message>
        <source>The date measured must be a past date as YYYY-MM-DD.</source>
        <translation>La fecha de la medida debe ser una fecha pasada AAAA-MM-DD.</translation>
    </message>
    <message>
        <source>The date must be today or earlier, as YYYY-MM-DD.</source>
        <translation>La fecha debe ser hoy o anterior, como AAAA-MM-DD.</translation>
    </message>
    <message>
        <source>The value must be a number.</source>
        <translation>El valor debe ser un número.</translation>
    </message>
    <message>
        <source>Choose the lab.</source>
        <translation>Elija la prueba.</translation>
    </message>
    <message>
        <source>Give a value or an interpretation.</source>
        <translation>Indique un valor o una interpretación.</translation>
    </message>
    <message>
        <source>The weight must be a number from {low} to {high} kg.</source>
        <translation>El peso debe ser un número de {low} a {high} kg.</translation>
    </message>
</context>
<context>
    <name>PatientsPage</name>
    <message>
        <source>Search by name or date of birth (YYYY-MM-DD)</source>
        <translation>Buscar por nombre o fecha de nacimiento (AAAA-MM-DD)</translation>
    </message>
    <message>
        <source>Search patients</source>
        <translation>Buscar pacientes</translation>
    </message>
    <message>
        <source> New patient…</source>
        <translation> Nuevo paciente…</translation>
    </message>
    <message>
        <source>Search status</source>
        <translation>Estado de la búsqueda</translation>
    </message>
    <message>
        <source>Patients found</source>
        <translation>Pacientes encontrados</translation>
    </message>
    <message>
        <source>Show more patients</source>
        <translation>Mostrar más pacientes</translation>
    </message>
    <message>
        <source>New prescription</source>
        <translation>Nueva prescripción</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>Editar…</translation>
    </message>
    <message>
        <source>Add a result…</source>
        <translation>Añadir un resultado…</translation>
    </message>
    <message>
        <source>Patient details</source>
        <translation>Datos del paciente</translation>
    </message>
    <message>
        <source> New prescription</source>
        <translation> Nueva prescripción</translation>
    </message>
    <message>
        <source>A new prescription filled from this record (Enter in the list)</source>
        <translation>Una nueva prescripción rellenada con esta ficha (Intro en la lista)</translation>
    </message>
    <message>
        <source>Lab results</source>
        <translation>Resultados de laboratorio</translation>
    </message>
    <message>
        <source>Lab</source>
        <translation>Prueba</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Interpretation</source>
        <translation>Interpretación</translation>
    </message>
    <message>
        <source>Documents</source>
        <translation>Documentos</translation>
    </message>
    <message>
        <source>No patient chosen</source>
        <translation>Ningún paciente elegido</translation>
    </message>
    <message>
        <source>Search, then choose a patient to see the record.</source>
        <translation>Busque y elija un paciente para ver su ficha.</translation>
    </message>
    <message>
        <source>Date of birth: {date} (age {age})</source>
        <translation>Fecha de nacimiento: {date} (edad {age})</translation>
    </message>
    <message>
        <source>Sex: {sex}</source>
        <translation>Sexo: {sex}</translation>
    </message>
    <message>
        <source>Allergies: {allergies}</source>
        <translation>Alergias: {allergies}</translation>
    </message>
    <message>
        <source>Weight: {weight}</source>
        <translation>Peso: {weight}</translation>
    </message>
    <message>
        <source>Height: {height}</source>
        <translation>Talla: {height}</translation>
    </message>
    <message>
        <source>{name} ({kind}, uploaded {date})</source>
        <translation>{name} ({kind}, subido el {date})</translation>
    </message>
    <message>
        <source>No documents attached</source>
        <translation>Ningún documento adjunto</translation>
    </message>
</context>
<context>
    <name>PdfCopy</name>
    <message>
        <source>Save a copy as PDF</source>
        <translation>Guardar una copia en PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>Page {0} of {1}</source>
        <translation>Página {0} de {1}</translation>
    </message>
</context>
<context>
    <name>PdfCopyActions</name>
    <message>
        <source> Save as PDF…</source>
        <translation> Guardar como PDF…</translation>
    </message>
    <message>
        <source>Save a copy of this prescription as PDF (not valid for dispensing)</source>
        <translation>Guardar una copia de esta receta en PDF (no válida para dispensar)</translation>
    </message>
    <message>
        <source> Print…</source>
        <translation> Imprimir…</translation>
    </message>
    <message>
        <source>Print a copy of this prescription (not valid for dispensing)</source>
        <translation>Imprimir una copia de esta receta (no válida para dispensar)</translation>
    </message>
    <message>
        <source>Save as PDF…</source>
        <translation>Guardar como PDF…</translation>
    </message>
    <message>
        <source>Print…</source>
        <translation>Imprimir…</translation>
    </message>
    <message>
        <source>Saved a copy of {0} to {1}.</source>
        <translation>Se guardó una copia de {0} en {1}.</translation>
    </message>
    <message>
        <source>Could not save the PDF: {0}</source>
        <translation>No se pudo guardar el PDF: {0}</translation>
    </message>
    <message>
        <source>Sent a copy of {0} to the printer.</source>
        <translation>Se envió una copia de {0} a la impresora.</translation>
    </message>
    <message>
        <source>Could not print: {0}</source>
        <translation>No se pudo imprimir: {0}</translation>
    </message>
</context>
<context>
    <name>PharmacistWindow</name>
    <message>
        <source>Write to the prescriber… (Ctrl+Enter sends)</source>
        <translation>Escriba al prescriptor… (Ctrl+Enter envía)</translation>
    </message>
    <message>
        <source>Loading the review queue…</source>
        <translation>Cargando la cola de revisión…</translation>
    </message>
    <message>
        <source>Review queue</source>
        <translation>Cola de revisión</translation>
    </message>
    <message>
        <source>Prescriptions to review</source>
        <translation>Recetas por revisar</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Mostrar</translation>
    </message>
    <message>
        <source> Refresh</source>
        <translation> Actualizar</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Ordenar por</translation>
    </message>
    <message>
        <source>More orders</source>
        <translation>Más pedidos</translation>
    </message>
    <message>
        <source>Has warnings</source>
        <translation>Con advertencias</translation>
    </message>
    <message>
        <source>Only orders with warnings</source>
        <translation>Solo pedidos con advertencias</translation>
    </message>
    <message>
        <source>Answered — waiting for you</source>
        <translation>Respondidos — esperan por usted</translation>
    </message>
    <message>
        <source>Only orders the prescriber answered, waiting for you</source>
        <translation>Solo pedidos que el prescriptor respondió y esperan por usted</translation>
    </message>
    <message>
        <source>Approve the selected prescription (you confirm next)</source>
        <translation>Aprobar la receta seleccionada (después la confirma)</translation>
    </message>
    <message>
        <source>Ask the prescriber a question; the prescription waits for the answer</source>
        <translation>Hacer una pregunta al prescriptor; la receta espera la respuesta</translation>
    </message>
    <message>
        <source>Save as FHIR…</source>
        <translation>Guardar como FHIR…</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source> Confirm approval</source>
        <translation> Confirmar la aprobación</translation>
    </message>
    <message>
        <source>No order under “{words}” matches the search.</source>
        <translation>Ninguna orden en «{words}» coincide con la búsqueda.</translation>
    </message>
    <message>
        <source>Nothing waiting for review.</source>
        <translation>Nada en espera de revisión.</translation>
    </message>
    <message>
        <source>Nothing under “{words}”.</source>
        <translation>Nada en «{words}».</translation>
    </message>
    <message>
        <source>{name} took over the review of this order.</source>
        <translation>{name} tomó la revisión de este pedido.</translation>
    </message>
    <message>
        <source>Approval is disabled: the signature is not verified.</source>
        <translation>La aprobación está desactivada: la firma no está verificada.</translation>
    </message>
    <message>
        <source>Waiting for the prescriber&apos;s answer.</source>
        <translation>En espera de la respuesta del prescriptor.</translation>
    </message>
    <message>
        <source>Nothing more to do: this prescription is {words}.</source>
        <translation>No queda nada por hacer: esta receta está en estado «{words}».</translation>
    </message>
    <message>
        <source>this template</source>
        <translation>esta plantilla</translation>
    </message>
</context>
<context>
    <name>PortalApp</name>
    <message>
        <source>Starting the local demo pharmacy server…</source>
        <translation>Iniciando el servidor local de demostración de la farmacia…</translation>
    </message>
    <message>
        <source>The demo server is running.</source>
        <translation>El servidor de demostración está en marcha.</translation>
    </message>
</context>
<context>
    <name>PortalMainWindow</name>
    <message>
        <source>Account menu</source>
        <translation>Menú de la cuenta</translation>
    </message>
    <message>
        <source> Sign out</source>
        <translation> Cerrar sesión</translation>
    </message>
    <message>
        <source>Change password…</source>
        <translation>Cambiar contraseña…</translation>
    </message>
    <message>
        <source>Lock now</source>
        <translation>Bloquear ahora</translation>
    </message>
    <message>
        <source>Account requests…</source>
        <translation>Solicitudes de cuenta…</translation>
    </message>
    <message>
        <source>Users…</source>
        <translation>Usuarios…</translation>
    </message>
    <message>
        <source>Audit trail…</source>
        <translation>Registro de auditoría…</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Cerrar sesión</translation>
    </message>
    <message>
        <source>Your password was changed and every session was signed out.</source>
        <translation>Su contraseña se cambió y se cerraron todas las sesiones.</translation>
    </message>
    <message>
        <source>Could not load templates: {error}</source>
        <translation>No se pudieron cargar las plantillas: {error}</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Cargando…</translation>
    </message>
    <message>
        <source>Loading stopped. Refresh (F5) to try again.</source>
        <translation>La carga se detuvo. Actualice (F5) para volver a intentarlo.</translation>
    </message>
    <message>
        <source> Showing the list from {last_refresh_ok}.</source>
        <translation> Se muestra la lista de las {last_refresh_ok}.</translation>
    </message>
    <message>
        <source>Could not refresh: {text}{since}</source>
        <translation>No se pudo actualizar: {text}{since}</translation>
    </message>
</context>
<context>
    <name>PrescriberWindow</name>
    <message>
        <source>Write to the pharmacy… (Ctrl+Enter sends)</source>
        <translation>Escriba a la farmacia… (Ctrl+Enter envía)</translation>
    </message>
    <message>
        <source>Patients</source>
        <translation>Pacientes</translation>
    </message>
    <message>
        <source>Loading your prescriptions…</source>
        <translation>Cargando sus recetas…</translation>
    </message>
    <message>
        <source>My prescriptions</source>
        <translation>Mis recetas</translation>
    </message>
    <message>
        <source>New prescription</source>
        <translation>Nueva receta</translation>
    </message>
    <message>
        <source>Start a new prescription (Ctrl+N)</source>
        <translation>Empezar una receta nueva (Ctrl+N)</translation>
    </message>
    <message>
        <source>Check for updates now (F5). The list also updates by itself every 20 seconds.</source>
        <translation>Buscar novedades ahora (F5). La lista también se actualiza sola cada 20 segundos.</translation>
    </message>
    <message>
        <source>Lists</source>
        <translation>Listas</translation>
    </message>
    <message>
        <source>Nothing sent to the pharmacy yet. Press “New prescription” to write one.</source>
        <translation>Aún no se ha enviado nada a la farmacia. Pulse «Nueva receta» para escribir una.</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Borradores</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Bandeja de salida</translation>
    </message>
    <message>
        <source>Cannot read drafts: {error}</source>
        <translation>No se pueden leer los borradores: {error}</translation>
    </message>
    <message>
        <source>That draft no longer exists.</source>
        <translation>Ese borrador ya no existe.</translation>
    </message>
    <message>
        <source>Prepared by {prepared_by}. Review every field before you sign.</source>
        <translation>Preparado por {prepared_by}. Revise cada campo antes de firmar.</translation>
    </message>
    <message>
        <source>Signed. The prescription is stored safely on this computer and is being sent to the pharmacy; its status shows below.</source>
        <translation>Firmada. La receta está guardada de forma segura en esta computadora y se está enviando a la farmacia; su estado aparece abajo.</translation>
    </message>
    <message>
        <source>Prescription {reference} was received by the pharmacy. You will see here when a pharmacist has reviewed it.</source>
        <translation>La farmacia recibió la receta {reference}. Aquí verá cuando un farmacéutico la haya revisado.</translation>
    </message>
    <message>
        <source>{total} sent · {questions} waiting for your answer</source>
        <translation>{total} enviadas · {questions} esperan su respuesta</translation>
    </message>
    <message>
        <source>Answer the pharmacist…</source>
        <translation>Responder al farmacéutico…</translation>
    </message>
    <message>
        <source>Cancel prescription…</source>
        <translation>Cancelar la receta…</translation>
    </message>
    <message>
        <source>Save as FHIR…</source>
        <translation>Guardar como FHIR…</translation>
    </message>
</context>
<context>
    <name>PrescriberWork</name>
    <message>
        <source>Sent to the pharmacy</source>
        <translation>Enviadas a la farmacia</translation>
    </message>
    <message>
        <source>Drafts</source>
        <translation>Borradores</translation>
    </message>
    <message>
        <source> · {count} prepared for you</source>
        <translation> · {count} preparados para usted</translation>
    </message>
    <message>
        <source>Outbox</source>
        <translation>Bandeja de salida</translation>
    </message>
    <message>
        <source> · {unsent} waiting</source>
        <translation> · {unsent} en espera</translation>
    </message>
    <message>
        <source> · {needing_attention} to act on</source>
        <translation> · {needing_attention} por atender</translation>
    </message>
    <message>
        <source>1 signed prescription is not yet confirmed by the pharmacy.</source>
        <translation>La farmacia aún no ha confirmado 1 receta firmada.</translation>
    </message>
    <message>
        <source>{count} signed prescriptions are not yet confirmed by the pharmacy.</source>
        <translation>La farmacia aún no ha confirmado {count} recetas firmadas.</translation>
    </message>
    <message>
        <source>1 prescription needs your attention.</source>
        <translation>1 receta requiere su atención.</translation>
    </message>
    <message>
        <source>{count} prescriptions need your attention.</source>
        <translation>{count} recetas requieren su atención.</translation>
    </message>
    <message>
        <source>Without a system keyring they are kept in memory only and will be LOST when you leave.</source>
        <translation>Sin un llavero del sistema se guardan solo en memoria y se PERDERÁN al salir.</translation>
    </message>
    <message>
        <source>They stay safely on this computer and are sent the next time you sign in.</source>
        <translation>Quedan guardadas de forma segura en esta computadora y se enviarán la próxima vez que inicie sesión.</translation>
    </message>
    <message>
        <source>1 draft is waiting where you left it. Open the Drafts tab to continue.</source>
        <translation>1 borrador le espera donde lo dejó. Abra la pestaña Borradores para continuar.</translation>
    </message>
    <message>
        <source>{count} drafts are waiting where you left them. Open the Drafts tab to continue.</source>
        <translation>{count} borradores le esperan donde los dejó. Abra la pestaña Borradores para continuar.</translation>
    </message>
    <message>
        <source>{tab} · 1 question for you</source>
        <translation>{tab} · 1 pregunta para usted</translation>
    </message>
    <message>
        <source>{tab} · {count} questions for you</source>
        <translation>{tab} · {count} preguntas para usted</translation>
    </message>
</context>
<context>
    <name>PrescriptionActions</name>
    <message>
        <source> Cancel prescription…</source>
        <translation> Cancelar la receta…</translation>
    </message>
    <message>
        <source>Ask the pharmacy not to prepare it (a reason is required)</source>
        <translation>Pedir a la farmacia que no la prepare (se requiere un motivo)</translation>
    </message>
    <message>
        <source> Answer the pharmacist…</source>
        <translation> Responder al farmacéutico…</translation>
    </message>
</context>
<context>
    <name>PrescriptionBrowser</name>
    <message>
        <source>Prescription details</source>
        <translation>Detalles de la receta</translation>
    </message>
    <message>
        <source>Prescriptions</source>
        <translation>Recetas</translation>
    </message>
    <message>
        <source> Save as FHIR…</source>
        <translation> Guardar como FHIR…</translation>
    </message>
    <message>
        <source>Save this prescription as a FHIR R4 Bundle (JSON) for another system</source>
        <translation>Guardar esta receta como un Bundle FHIR R4 (JSON) para otro sistema</translation>
    </message>
    <message>
        <source>Saved {reference} as FHIR to {saved}.</source>
        <translation>Se guardó {reference} como FHIR en {saved}.</translation>
    </message>
    <message>
        <source>Could not save as FHIR: {error}</source>
        <translation>No se pudo guardar como FHIR: {error}</translation>
    </message>
</context>
<context>
    <name>PrescriptionList</name>
    <message>
        <source>Today {clock}</source>
        <translation>Hoy {clock}</translation>
    </message>
</context>
<context>
    <name>PrescriptionMessages</name>
    <message>
        <source>Unread messages</source>
        <translation>Mensajes sin leer</translation>
    </message>
    <message>
        <source>Could not load the messages: {error}</source>
        <translation>No se pudieron cargar los mensajes: {error}</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Enviar</translation>
    </message>
</context>
<context>
    <name>Presentation</name>
    <message>
        <source>Submitted</source>
        <translation>Enviada</translation>
    </message>
    <message>
        <source>Question asked</source>
        <translation>Pregunta hecha</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Aprobada</translation>
    </message>
    <message>
        <source>Being compounded</source>
        <translation>En preparación</translation>
    </message>
    <message>
        <source>Ready to ship</source>
        <translation>Lista para despachar</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Despachada</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rechazada</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Cancelada</translation>
    </message>
    <message>
        <source>Question for you</source>
        <translation>Pregunta para usted</translation>
    </message>
    <message>
        <source>Waiting for prescriber</source>
        <translation>Espera al prescriptor</translation>
    </message>
    <message>
        <source>To review</source>
        <translation>Por revisar</translation>
    </message>
    <message>
        <source>Waiting for the prescriber</source>
        <translation>En espera del prescriptor</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Todas</translation>
    </message>
    <message>
        <source>Peripheral IV</source>
        <translation>IV periférica</translation>
    </message>
    <message>
        <source>Central line</source>
        <translation>Vía central</translation>
    </message>
    <message>
        <source>IV push</source>
        <translation>IV directa (bolo)</translation>
    </message>
    <message>
        <source>Female</source>
        <translation>Femenino</translation>
    </message>
    <message>
        <source>Male</source>
        <translation>Masculino</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Otro</translation>
    </message>
    <message>
        <source>Not stated</source>
        <translation>No indicado</translation>
    </message>
    <message>
        <source>Blocks signing</source>
        <translation>Impide firmar</translation>
    </message>
    <message>
        <source>Warnings: give a reason to go ahead</source>
        <translation>Advertencias: indique un motivo para continuar</translation>
    </message>
    <message>
        <source>For information</source>
        <translation>Informativo</translation>
    </message>
    <message>
        <source>PHARMACY TO CONFIRM</source>
        <translation>A CONFIRMAR POR LA FARMACIA</translation>
    </message>
    <message>
        <source>By completing this step I am legally signing this prescription. I confirm that I am the prescriber named above, that I have reviewed the patient, every ingredient and amount, the administration and the clinical checks shown, and that this order is medically necessary for this patient.</source>
        <translation>Al completar este paso firmo legalmente esta receta. Confirmo que soy el prescriptor indicado arriba, que he revisado al paciente, cada ingrediente y cantidad, la administración y las verificaciones clínicas mostradas, y que esta orden es médicamente necesaria para este paciente.</translation>
    </message>
    <message>
        <source>Total volume</source>
        <translation>Volumen total</translation>
    </message>
    <message>
        <source>Osmolarity</source>
        <translation>Osmolaridad</translation>
    </message>
    <message>
        <source>estimate</source>
        <translation>estimación</translation>
    </message>
    <message>
        <source>Infusion rate</source>
        <translation>Velocidad de infusión</translation>
    </message>
    <message>
        <source>Sodium load</source>
        <translation>Carga de sodio</translation>
    </message>
    <message>
        <source>all sources; 1 mEq = 23 mg</source>
        <translation>todas las fuentes; 1 mEq = 23 mg</translation>
    </message>
    <message>
        <source>Glucose infusion rate</source>
        <translation>Velocidad de infusión de glucosa</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energía</translation>
    </message>
    <message>
        <source>Energy per kg</source>
        <translation>Energía por kg</translation>
    </message>
    <message>
        <source>Protein per kg</source>
        <translation>Proteína por kg</translation>
    </message>
    <message>
        <source>Lipid per kg</source>
        <translation>Lípidos por kg</translation>
    </message>
    <message>
        <source>Dextrose</source>
        <translation>Dextrosa</translation>
    </message>
    <message>
        <source>final concentration</source>
        <translation>concentración final</translation>
    </message>
    <message>
        <source>Amino acids</source>
        <translation>Aminoácidos</translation>
    </message>
    <message>
        <source>Lipid</source>
        <translation>Lípidos</translation>
    </message>
    <message>
        <source>Glucose infusion rate at the plateau</source>
        <translation>Velocidad de infusión de glucosa en la meseta</translation>
    </message>
    <message>
        <source>cycled</source>
        <translation>en ciclo</translation>
    </message>
    <message>
        <source>Rate at the plateau</source>
        <translation>Velocidad en la meseta</translation>
    </message>
    <message>
        <source>Lipid infusion rate</source>
        <translation>Velocidad de infusión de lípidos</translation>
    </message>
    <message>
        <source>separate lipid</source>
        <translation>lípidos por separado</translation>
    </message>
    <message>
        <source>Potassium</source>
        <translation>Potasio</translation>
    </message>
    <message>
        <source>Calcium</source>
        <translation>Calcio</translation>
    </message>
    <message>
        <source>Phosphate</source>
        <translation>Fosfato</translation>
    </message>
    <message>
        <source>lipid runs in its own bag</source>
        <translation>los lípidos van en su propia bolsa</translation>
    </message>
    <message>
        <source> (and {value} more)</source>
        <translation> (y {value} más)</translation>
    </message>
    <message>
        <source>Cannot be signed: {message}{more}</source>
        <translation>No se puede firmar: {message}{more}</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>Respondida</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <source>submitted {when} by {who}</source>
        <translation>enviada {when} por {who}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{verb}&lt;/b&gt; by {who}, {when}</source>
        <translation>&lt;b&gt;{verb}&lt;/b&gt; por {who}, {when}</translation>
    </message>
    <message>
        <source>&lt;br&gt;Reason: {reason}</source>
        <translation>&lt;br&gt;Motivo: {reason}</translation>
    </message>
    <message>
        <source>Checked here</source>
        <translation>Comprobada aquí</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;SIGNATURE&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;FIRMA&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;COMPUTED VALUES&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;VALORES CALCULADOS&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;i&gt;None recorded&lt;/i&gt;</source>
        <translation>&lt;i&gt;Ninguna registrada&lt;/i&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;PATIENT&lt;/p&gt;&lt;table&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;PACIENTE&lt;/p&gt;&lt;table&gt;</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Date of birth</source>
        <translation>Fecha de nacimiento</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Sexo</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Peso</translation>
    </message>
    <message>
        <source>{number} kg</source>
        <translation>{number} kg</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>Estatura</translation>
    </message>
    <message>
        <source>{number} cm</source>
        <translation>{number} cm</translation>
    </message>
    <message>
        <source>Allergies</source>
        <translation>Alergias</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;INGREDIENTS&lt;/p&gt;&lt;table class=&apos;ing&apos;&gt;&lt;tr&gt;&lt;th&gt;Ingredient&lt;/th&gt;&lt;th align=&apos;right&apos;&gt;Amount&lt;/th&gt;&lt;th&gt;Unit&lt;/th&gt;&lt;/tr&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;INGREDIENTES&lt;/p&gt;&lt;table class=&apos;ing&apos;&gt;&lt;tr&gt;&lt;th&gt;Ingrediente&lt;/th&gt;&lt;th align=&apos;right&apos;&gt;Cantidad&lt;/th&gt;&lt;th&gt;Unidad&lt;/th&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;ADMINISTRATION&lt;/p&gt;&lt;table&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;ADMINISTRACIÓN&lt;/p&gt;&lt;table&gt;</translation>
    </message>
    <message>
        <source>Access</source>
        <translation>Acceso</translation>
    </message>
    <message>
        <source>Vehicle</source>
        <translation>Vehículo</translation>
    </message>
    <message>
        <source>{name}, {number} mL</source>
        <translation>{name}, {number} mL</translation>
    </message>
    <message>
        <source>Infusion time</source>
        <translation>Tiempo de infusión</translation>
    </message>
    <message>
        <source>{number} min</source>
        <translation>{number} min</translation>
    </message>
    <message>
        <source>Lipid infusion time</source>
        <translation>Tiempo de infusión de lípidos</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;NOTES&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;NOTAS&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;HISTORY&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;HISTORIAL&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;LAB RESULTS&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;RESULTADOS DE LABORATORIO&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;CLINICAL CHECKS&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;VERIFICACIONES CLÍNICAS&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;ACKNOWLEDGED WARNINGS&lt;/p&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;ADVERTENCIAS ACEPTADAS&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;p class=&apos;h&apos;&gt;SIGNATURE&lt;/p&gt;&lt;table&gt;</source>
        <translation>&lt;p class=&apos;h&apos;&gt;FIRMA&lt;/p&gt;&lt;table&gt;</translation>
    </message>
    <message>
        <source>Signed by</source>
        <translation>Firmada por</translation>
    </message>
    <message>
        <source>Signed</source>
        <translation>Firmada</translation>
    </message>
    <message>
        <source>Confirmed with</source>
        <translation>Confirmada con</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;i&gt;None on the order&lt;/i&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;i&gt;Ninguno en la orden&lt;/i&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;table class=&apos;ing&apos;&gt;&lt;tr&gt;&lt;th&gt;Lab&lt;/th&gt;&lt;th&gt;Date&lt;/th&gt;&lt;th align=&apos;right&apos;&gt;Value&lt;/th&gt;&lt;th&gt;Unit&lt;/th&gt;&lt;th&gt;Interpretation&lt;/th&gt;&lt;/tr&gt;</source>
        <translation>&lt;table class=&apos;ing&apos;&gt;&lt;tr&gt;&lt;th&gt;Prueba&lt;/th&gt;&lt;th&gt;Fecha&lt;/th&gt;&lt;th align=&apos;right&apos;&gt;Valor&lt;/th&gt;&lt;th&gt;Unidad&lt;/th&gt;&lt;th&gt;Interpretación&lt;/th&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>&lt;p style=&apos;color:#1E6B3A&apos;&gt;No findings: every check passed.&lt;/p&gt;</source>
        <translation>&lt;p style=&apos;color:#1E6B3A&apos;&gt;Sin hallazgos: todas las verificaciones se superaron.&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;span style=&apos;color:#7B8794;font-size:8pt&apos;&gt;Source: {source}&lt;/span&gt;</source>
        <translation>&lt;br&gt;&lt;span style=&apos;color:#7B8794;font-size:8pt&apos;&gt;Fuente: {source}&lt;/span&gt;</translation>
    </message>
    <message>
        <source>&lt;table class=&apos;ing&apos;&gt;&lt;tr&gt;&lt;th&gt;Warning&lt;/th&gt;&lt;th&gt;Prescriber&apos;s reason&lt;/th&gt;&lt;/tr&gt;</source>
        <translation>&lt;table class=&apos;ing&apos;&gt;&lt;tr&gt;&lt;th&gt;Advertencia&lt;/th&gt;&lt;th&gt;Motivo del prescriptor&lt;/th&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>Evaluated by the server with template version {t}, formulary {f}, rules {r}</source>
        <translation>Evaluada por el servidor con la plantilla versión {t}, el formulario {f} y las reglas {r}</translation>
    </message>
    <message>
        <source>None recorded</source>
        <translation>Ninguna registrada</translation>
    </message>
    <message>
        <source>&lt;/table&gt;&lt;p class=&apos;h&apos;&gt;INGREDIENTS&lt;/p&gt;&lt;table class=&apos;ing&apos;&gt;</source>
        <translation>&lt;/table&gt;&lt;p class=&apos;h&apos;&gt;INGREDIENTES&lt;/p&gt;&lt;table class=&apos;ing&apos;&gt;</translation>
    </message>
    <message>
        <source>&lt;tr&gt;&lt;th&gt;Ingredient&lt;/th&gt;&lt;th align=&apos;right&apos;&gt;Amount&lt;/th&gt;&lt;th&gt;Unit&lt;/th&gt;&lt;/tr&gt;</source>
        <translation>&lt;tr&gt;&lt;th&gt;Ingrediente&lt;/th&gt;&lt;th align=&apos;right&apos;&gt;Cantidad&lt;/th&gt;&lt;th&gt;Unidad&lt;/th&gt;&lt;/tr&gt;</translation>
    </message>
    <message>
        <source>&lt;/table&gt;&lt;p class=&apos;h&apos;&gt;ADMINISTRATION&lt;/p&gt;&lt;table&gt;</source>
        <translation>&lt;/table&gt;&lt;p class=&apos;h&apos;&gt;ADMINISTRACIÓN&lt;/p&gt;&lt;table&gt;</translation>
    </message>
    <message>
        <source>&lt;li&gt;{message}&lt;br&gt;&lt;span style=&apos;color:#52606D&apos;&gt;Your reason: &lt;/span&gt;&lt;i&gt;{reason}&lt;/i&gt;&lt;/li&gt;</source>
        <translation>&lt;li&gt;{message}&lt;br&gt;&lt;span style=&apos;color:#52606D&apos;&gt;Su motivo: &lt;/span&gt;&lt;i&gt;{reason}&lt;/i&gt;&lt;/li&gt;</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>Pregunta</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>Respuesta</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Motivo</translation>
    </message>
    <message>
        <source>Courier and tracking</source>
        <translation>Transportista y rastreo</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>Nota</translation>
    </message>
    <message>
        <source>&lt;b&gt;Question from {who}&lt;/b&gt; · {when}&lt;br&gt;&lt;span style=&apos;font-size:11pt&apos;&gt;{note_html}&lt;/span&gt;&lt;br&gt;&lt;i&gt;</source>
        <translation>&lt;b&gt;Pregunta de {who}&lt;/b&gt; · {when}&lt;br&gt;&lt;span style=&apos;font-size:11pt&apos;&gt;{note_html}&lt;/span&gt;&lt;br&gt;&lt;i&gt;</translation>
    </message>
    <message>
        <source>Waiting for your answer: “Answer the pharmacist…” below.</source>
        <translation>Espera su respuesta: «Responder al farmacéutico…», abajo.</translation>
    </message>
    <message>
        <source>Waiting for the prescriber&apos;s answer.</source>
        <translation>En espera de la respuesta del prescriptor.</translation>
    </message>
    <message>
        <source>&lt;br&gt;&lt;b&gt;Question&lt;/b&gt; from {who}: {note_html}</source>
        <translation>&lt;br&gt;&lt;b&gt;Pregunta&lt;/b&gt; de {who}: {note_html}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{who} answered&lt;/b&gt; · {when}{question_line}&lt;br&gt;&lt;b&gt;Answer:&lt;/b&gt; {note_html}</source>
        <translation>&lt;b&gt;{who} respondió&lt;/b&gt; · {when}{question_line}&lt;br&gt;&lt;b&gt;Respuesta:&lt;/b&gt; {note_html}</translation>
    </message>
    <message>
        <source>&lt;b&gt;{what}&lt;/b&gt; by {who} · {when}{note}</source>
        <translation>{who} · &lt;b&gt;{what}&lt;/b&gt; · {when}{note}</translation>
    </message>
    <message>
        <source>Write the {note} first: it is required.</source>
        <translation>Escriba primero el campo «{note}»: es obligatorio.</translation>
    </message>
    <message>
        <source>{note} is {length:,} characters long; the limit is {limit:,}. Shorten it by {over:,}.</source>
        <translation>«{note}» tiene {length:,} caracteres; el límite es {limit:,}. Acórtelo en {over:,}.</translation>
    </message>
    <message>
        <source>{ref} approved.</source>
        <translation>{ref} aprobada.</translation>
    </message>
    <message>
        <source>{ref} rejected; the prescriber sees your reason.</source>
        <translation>{ref} rechazada; el prescriptor verá su motivo.</translation>
    </message>
    <message>
        <source>{ref}: your question was sent to the prescriber. It waits under “Waiting for the prescriber” until they answer.</source>
        <translation>{ref}: su pregunta se envió al prescriptor. Queda en «En espera del prescriptor» hasta que responda.</translation>
    </message>
    <message>
        <source>{ref}: your answer was sent; the pharmacist reviews it again.</source>
        <translation>{ref}: su respuesta se envió; el farmacéutico la revisará de nuevo.</translation>
    </message>
    <message>
        <source>{ref} cancelled. The pharmacy will not prepare it.</source>
        <translation>{ref} cancelada. La farmacia no la preparará.</translation>
    </message>
    <message>
        <source>{ref} is being compounded.</source>
        <translation>{ref} está en preparación.</translation>
    </message>
    <message>
        <source>{ref} is ready to ship.</source>
        <translation>{ref} está lista para despachar.</translation>
    </message>
    <message>
        <source>{ref} marked shipped.</source>
        <translation>{ref} marcada como despachada.</translation>
    </message>
    <message>
        <source>{ref} updated.</source>
        <translation>{ref} actualizada.</translation>
    </message>
    <message>
        <source> Last change: {what} by {who}, {when}.</source>
        <translation> Último cambio: {who} {what}, {when}.</translation>
    </message>
    <message>
        <source>Nothing was recorded for {reference}: </source>
        <translation>No se registró nada para {reference}: </translation>
    </message>
    <message>
        <source>it changed since you opened it. Look at it again before you act.</source>
        <translation>cambió desde que la abrió. Revísela de nuevo antes de actuar.</translation>
    </message>
    <message>
        <source>{reference} was changed by someone else before your action was recorded</source>
        <translation>Otra persona cambió {reference} antes de que se registrara su acción</translation>
    </message>
    <message>
        <source> Nothing of yours was applied.</source>
        <translation> No se aplicó nada de lo suyo.</translation>
    </message>
    <message>
        <source>start of compounding</source>
        <translation>inicio de la preparación</translation>
    </message>
    <message>
        <source>“ready” mark</source>
        <translation>marca de «lista»</translation>
    </message>
    <message>
        <source>“shipped” mark</source>
        <translation>marca de «despachada»</translation>
    </message>
    <message>
        <source>step</source>
        <translation>paso</translation>
    </message>
    <message>
        <source>The pharmacy did not answer, so it is not known whether your {noun} for {reference} was recorded.</source>
        <translation>La farmacia no respondió, así que no se sabe si se registró su {noun} de {reference}.</translation>
    </message>
    <message>
        <source> {reference} as it is now (shown) does not have it. Look at it, then send again if it still applies: if the first one arrives meanwhile, the pharmacy refuses the second.</source>
        <translation> {reference} tal como está ahora (se muestra) no lo tiene. Revísela y vuelva a enviarlo si aún procede: si el primero llega mientras tanto, la farmacia rechaza el segundo.</translation>
    </message>
    <message>
        <source> Checking failed too: refresh and look at it before you try again.</source>
        <translation> La comprobación también falló: actualice y revísela antes de volver a intentarlo.</translation>
    </message>
    <message>
        <source> Your text is kept.</source>
        <translation> Su texto se conserva.</translation>
    </message>
    <message>
        <source>: {what} by {who}, {when}</source>
        <translation>: {who} {what}, {when}</translation>
    </message>
    <message>
        <source>{reference} changed while you were deciding{step}. Nothing was sent; look at it again first.</source>
        <translation>{reference} cambió mientras usted decidía{step}. No se envió nada; revísela de nuevo primero.</translation>
    </message>
    <message>
        <source>None sent yet</source>
        <translation>Ninguna enviada todavía</translation>
    </message>
    <message>
        <source>{count} sent · {waiting} awaiting review</source>
        <translation>{count} enviadas · {waiting} en espera de revisión</translation>
    </message>
    <message>
        <source> · 1 question for you</source>
        <translation> · 1 pregunta para usted</translation>
    </message>
    <message>
        <source> · {count} questions for you</source>
        <translation> · {count} preguntas para usted</translation>
    </message>
    <message>
        <source>The pharmacist asked a question about {reference} ({patient}). Select it under “Sent to the pharmacy” to read and answer it.</source>
        <translation>El farmacéutico hizo una pregunta sobre {reference} ({patient}). Selecciónela en «Enviadas a la farmacia» para leerla y responderla.</translation>
    </message>
    <message>
        <source>The pharmacist asked questions about {count} prescriptions ({listed}). Select each under “Sent to the pharmacy” to read and answer it.</source>
        <translation>El farmacéutico hizo preguntas sobre {count} recetas ({listed}). Seleccione cada una en «Enviadas a la farmacia» para leerla y responderla.</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>En cola</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Enviando…</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Comprobando</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Requiere atención</translation>
    </message>
    <message>
        <source>Sign again</source>
        <translation>Firmar de nuevo</translation>
    </message>
    <message>
        <source>{reason} Reopen it, check it and sign again; nothing is lost.</source>
        <translation>{reason} Reábrala, revísela y fírmela de nuevo; no se pierde nada.</translation>
    </message>
    <message>
        <source>{detail} Reopen it as a draft to correct it.</source>
        <translation>{detail} Reábrala como borrador para corregirla.</translation>
    </message>
    <message>
        <source>Today </source>
        <translation>Hoy </translation>
    </message>
    <message>
        <source>Prepared by {preparer} · {when}</source>
        <translation>Preparado por {preparer} · {when}</translation>
    </message>
    <message>
        <source>Waiting for {prescriber_name} to review and sign</source>
        <translation>En espera de que {prescriber_name} lo revise y firme</translation>
    </message>
</context>
<context>
    <name>QrCode</name>
    <message>
        <source>QR code for the authenticator app</source>
        <translation>Código QR para la aplicación de autenticación</translation>
    </message>
</context>
<context>
    <name>QueuePages</name>
    <message>
        <source>{total} orders; showing the first {shown} — scroll for more or narrow the filter.</source>
        <translation>{total} pedidos; se muestran los primeros {shown} — desplácese para ver más o acote el filtro.</translation>
    </message>
    <message>
        <source>Showing {shown} of {total} orders — scroll for more.</source>
        <translation>Se muestran {shown} de {total} pedidos — desplácese para ver más.</translation>
    </message>
</context>
<context>
    <name>QueueSearchBox</name>
    <message>
        <source>Reference or patient name</source>
        <translation>Referencia o nombre del paciente</translation>
    </message>
    <message>
        <source>Search the queue</source>
        <translation>Buscar en la cola</translation>
    </message>
    <message>
        <source>A reference (RX-…), or the start of the family or given name</source>
        <translation>Una referencia (RX-…), o el comienzo del apellido o del nombre</translation>
    </message>
</context>
<context>
    <name>RecordLink</name>
    <message>
        <source>Save to patient record</source>
        <translation>Guardar en la ficha del paciente</translation>
    </message>
    <message>
        <source>Add the results typed here to the patient&apos;s record (nothing else changes)</source>
        <translation>Añadir a la ficha del paciente los resultados escritos aquí (nada más cambia)</translation>
    </message>
    <message>
        <source>Filled from the patient&apos;s record. Check each field before you sign; a result too old for the template is flagged under Lab results.</source>
        <translation>Rellenado con la ficha del paciente. Revise cada campo antes de firmar; un resultado demasiado antiguo para la plantilla se señala en Resultados de laboratorio.</translation>
    </message>
    <message>
        <source>Result {number} is too old: {message}</source>
        <translation>El resultado {number} es demasiado antiguo: {message}</translation>
    </message>
    <message>
        <source>Add a result</source>
        <translation>Añadir un resultado</translation>
    </message>
    <message>
        <source>Add a new {lab} result</source>
        <translation>Añadir un resultado nuevo de {lab}</translation>
    </message>
    <message>
        <source>The record already has every complete result typed here.</source>
        <translation>La ficha ya tiene todos los resultados completos escritos aquí.</translation>
    </message>
    <message>
        <source>Saved {count} result(s) to the patient&apos;s record.</source>
        <translation>Se guardaron {count} resultado(s) en la ficha del paciente.</translation>
    </message>
    <message>
        <source>Could not save to the patient&apos;s record: {error}</source>
        <translation>No se pudo guardar en la ficha del paciente: {error}</translation>
    </message>
</context>
<context>
    <name>ReferenceData</name>
    <message>
        <source>The pharmacy published formulary version {formulary} and rules version {rules} (this order was checked with formulary version {old_formulary} and rules version {old_rules}): the checks ran again with the new ones.</source>
        <translation>La farmacia publicó la versión {formulary} del formulario y la versión {rules} de las reglas (este pedido se verificó con la versión {old_formulary} del formulario y la versión {old_rules} de las reglas): las verificaciones se repitieron con las nuevas.</translation>
    </message>
    <message>
        <source>The pharmacy&apos;s server could not be reached: the checks use the saved formulary version {formulary} and rules version {rules}.</source>
        <translation>No se pudo contactar con el servidor de la farmacia: las verificaciones usan la versión guardada {formulary} del formulario y la versión {rules} de las reglas.</translation>
    </message>
    <message>
        <source>The pharmacy&apos;s server could not be reached and no formulary or rules are saved on this computer: the checks are unknown.</source>
        <translation>No se pudo contactar con el servidor de la farmacia y no hay formulario ni reglas guardados en este equipo: las verificaciones son desconocidas.</translation>
    </message>
</context>
<context>
    <name>RejectRequestDialog</name>
    <message>
        <source>Reject account request</source>
        <translation>Rechazar la solicitud de cuenta</translation>
    </message>
    <message>
        <source>&lt;b&gt;Reject the account request of {who}?&lt;/b&gt;</source>
        <translation>&lt;b&gt;¿Rechazar la solicitud de cuenta de {who}?&lt;/b&gt;</translation>
    </message>
    <message>
        <source>The requester receives this reason by e-mail.</source>
        <translation>El solicitante recibe este motivo por correo.</translation>
    </message>
    <message>
        <source>e.g. The licence number does not match the state board.</source>
        <translation>p. ej. El número de licencia no coincide con el de la junta estatal.</translation>
    </message>
    <message>
        <source>Reason for rejecting</source>
        <translation>Motivo del rechazo</translation>
    </message>
    <message>
        <source>Reject request</source>
        <translation>Rechazar la solicitud</translation>
    </message>
</context>
<context>
    <name>Repeat</name>
    <message>
        <source>Repeat of {reference}: the same patient (as signed then), template and doses. Check the patient&apos;s weight and results, then sign.</source>
        <translation>Repetición de {reference}: el mismo paciente (tal como se firmó entonces), la misma plantilla y las mismas dosis. Revise el peso y los resultados del paciente y luego firme.</translation>
    </message>
    <message>
        <source>{template} changed since version {old} (now version {new}); what changed could not be read. Review every dose.</source>
        <translation>{template} cambió desde la versión {old} (ahora versión {new}); no se pudo leer qué cambió. Revise cada dosis.</translation>
    </message>
    <message>
        <source>{template} is no longer offered by the pharmacy, so {reference} cannot be repeated. Start a new prescription.</source>
        <translation>La farmacia ya no ofrece {template}, así que {reference} no se puede repetir. Empiece una receta nueva.</translation>
    </message>
</context>
<context>
    <name>RepeatOrders</name>
    <message>
        <source> Repeat</source>
        <translation> Repetir</translation>
    </message>
    <message>
        <source>A new prescription with the same patient, template and doses (Ctrl+R)</source>
        <translation>Una receta nueva con el mismo paciente, la misma plantilla y las mismas dosis (Ctrl+R)</translation>
    </message>
    <message>
        <source>Repeat…</source>
        <translation>Repetir…</translation>
    </message>
</context>
<context>
    <name>ResultDialog</name>
    <message>
        <source>Add a result</source>
        <translation>Añadir un resultado</translation>
    </message>
    <message>
        <source>Lab result</source>
        <translation>Resultado de laboratorio</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>Peso</translation>
    </message>
    <message>
        <source>YYYY-MM-DD</source>
        <translation>AAAA-MM-DD</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Resultado</translation>
    </message>
    <message>
        <source>Lab</source>
        <translation>Prueba</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Fecha</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>Valor</translation>
    </message>
    <message>
        <source>Unit</source>
        <translation>Unidad</translation>
    </message>
    <message>
        <source>Interpretation</source>
        <translation>Interpretación</translation>
    </message>
</context>
<context>
    <name>Role</name>
    <message>
        <source>prescriber</source>
        <translation>prescriptor</translation>
    </message>
    <message>
        <source>clinic staff</source>
        <translation>personal de la clínica</translation>
    </message>
    <message>
        <source>pharmacist</source>
        <translation>farmacéutico</translation>
    </message>
    <message>
        <source>administrator</source>
        <translation>administrador</translation>
    </message>
</context>
<context>
    <name>ServerCheck</name>
    <message>
        <source>Nothing answers at {url}. Check the address (and the port), and that this computer can reach the pharmacy&apos;s network.</source>
        <translation>Nada responde en {url}. Revise la dirección (y el puerto), y que esta computadora pueda llegar a la red de la farmacia.</translation>
    </message>
    <message>
        <source>{url} answers, but it is not a pharmacy server (or one too old for this portal). Check the address with the pharmacy.</source>
        <translation>{url} responde, pero no es un servidor de farmacia (o es demasiado antiguo para este portal). Confirme la dirección con la farmacia.</translation>
    </message>
    <message>
        <source>The pharmacy server at {url} speaks API version {api_version}; this portal speaks version {supported}. Install the portal version the pharmacy recommends.</source>
        <translation>El servidor de la farmacia en {url} usa la versión {api_version} de la API; este portal usa la versión {supported}. Instale la versión del portal que recomiende la farmacia.</translation>
    </message>
</context>
<context>
    <name>ServerChecks</name>
    <message>
        <source>Checked by the pharmacy&apos;s server</source>
        <translation>Verificado por el servidor de la farmacia</translation>
    </message>
    <message>
        <source>Its findings differ from this computer&apos;s instant check; the pharmacy&apos;s are the ones that count.</source>
        <translation>Sus hallazgos difieren de la verificación inmediata de esta computadora; los de la farmacia son los que cuentan.</translation>
    </message>
</context>
<context>
    <name>ServerRow</name>
    <message>
        <source>Change</source>
        <translation>Cambiar</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Dirección del servidor</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>Usar</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <source>Drafts and unsent prescriptions saved earlier on this computer could not be opened: the key that protects them is no longer in the system keyring. They were kept, unopened, in the file {name}, and an empty store was started. Prescriptions you signed may not have reached the pharmacy; check your list with the pharmacy.</source>
        <translation>No se pudieron abrir los borradores y las recetas sin enviar que se guardaron antes en esta computadora: la clave que los protege ya no está en el llavero del sistema. Se conservaron, sin abrir, en el archivo {name}, y se inició un almacén vacío. Puede que las recetas que firmó no hayan llegado a la farmacia; verifique su lista con la farmacia.</translation>
    </message>
</context>
<context>
    <name>SessionsDialog</name>
    <message>
        <source>Sessions of {username}</source>
        <translation>Sesiones de {username}</translation>
    </message>
    <message>
        <source>Sessions</source>
        <translation>Sesiones</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>End session</source>
        <translation>Cerrar la sesión</translation>
    </message>
    <message>
        <source>End all sessions</source>
        <translation>Cerrar todas las sesiones</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <source>Could not load the sessions: {error}</source>
        <translation>No se pudieron cargar las sesiones: {error}</translation>
    </message>
    <message>
        <source>{count} live sessions</source>
        <translation>{count} sesiones activas</translation>
    </message>
    <message>
        <source>No live sessions.</source>
        <translation>No hay sesiones activas.</translation>
    </message>
    <message>
        <source>End this session of {username}? That window signs out at once.</source>
        <translation>¿Cerrar esta sesión de {username}? Esa ventana sale de la sesión al instante.</translation>
    </message>
    <message>
        <source>The session was ended.</source>
        <translation>La sesión se cerró.</translation>
    </message>
    <message>
        <source>End every session of {username}? Each of their windows signs out.</source>
        <translation>¿Cerrar todas las sesiones de {username}? Cada una de sus ventanas sale de la sesión.</translation>
    </message>
    <message>
        <source>{count} sessions were ended.</source>
        <translation>Se cerraron {count} sesiones.</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <source>Enter an address such as https://pharmacy.example.org</source>
        <translation>Escriba una dirección como https://pharmacy.example.org</translation>
    </message>
    <message>
        <source>The server address must not contain a user name, query or fragment</source>
        <translation>La dirección del servidor no debe contener un nombre de usuario, una consulta ni un fragmento</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Atajos de teclado</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>Acción</translation>
    </message>
    <message>
        <source>Shortcut</source>
        <translation>Atajo</translation>
    </message>
</context>
<context>
    <name>SignBar</name>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
</context>
<context>
    <name>SignDialog</name>
    <message>
        <source>That password or code is not right. Try again.</source>
        <translation>Esa contraseña o ese código no es correcto. Vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>Too many attempts. Wait a moment, then try again.</source>
        <translation>Demasiados intentos. Espere un momento y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The pharmacy server cannot be reached to confirm your signature. Your prescription is kept as a draft: sign it when the connection is back.</source>
        <translation>No se puede conectar con el servidor de la farmacia para confirmar su firma. Su receta se conserva como borrador: fírmela cuando vuelva la conexión.</translation>
    </message>
    <message>
        <source>Your session has ended. The prescription is kept as a draft.</source>
        <translation>Su sesión terminó. La receta se conserva como borrador.</translation>
    </message>
    <message>
        <source>Signing failed: {error}</source>
        <translation>No se pudo firmar: {error}</translation>
    </message>
    <message>
        <source>Sign and submit prescription</source>
        <translation>Firmar y enviar la receta</translation>
    </message>
    <message>
        <source>Review and sign</source>
        <translation>Revisar y firmar</translation>
    </message>
    <message>
        <source>This is exactly what will be sent to the pharmacy. Check every line.</source>
        <translation>Esto es exactamente lo que se enviará a la farmacia. Revise cada línea.</translation>
    </message>
    <message>
        <source>Prescription to sign</source>
        <translation>Receta por firmar</translation>
    </message>
    <message>
        <source>Authenticator code</source>
        <translation>Código de autenticación</translation>
    </message>
    <message>
        <source>Your password</source>
        <translation>Su contraseña</translation>
    </message>
    <message>
        <source>&lt;b&gt;{label}&lt;/b&gt; — to confirm it is you signing</source>
        <translation>&lt;b&gt;{label}&lt;/b&gt;: para confirmar que es usted quien firma</translation>
    </message>
    <message>
        <source>6-digit code from your authenticator app</source>
        <translation>Código de 6 dígitos de su aplicación de autenticación</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <source>Sign and submit</source>
        <translation>Firmar y enviar</translation>
    </message>
    <message>
        <source>Attestation</source>
        <translation>Declaración</translation>
    </message>
    <message>
        <source>Signing…</source>
        <translation>Firmando…</translation>
    </message>
</context>
<context>
    <name>SignIn</name>
    <message>
        <source>This computer has no usable system keyring, so your user name will not be remembered after you quit. Nothing else is affected.</source>
        <translation>Esta computadora no tiene un llavero del sistema utilizable, así que su nombre de usuario no se recordará al salir. Nada más se ve afectado.</translation>
    </message>
    <message>
        <source>Wrong user name or password. Check both and try again.</source>
        <translation>Nombre de usuario o contraseña incorrectos. Revise ambos y vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>The server did not answer in time. Try again in a moment.</source>
        <translation>El servidor no respondió a tiempo. Vuelva a intentarlo en un momento.</translation>
    </message>
    <message>
        <source>Sign-in failed: {error}</source>
        <translation>No se pudo iniciar sesión: {error}</translation>
    </message>
    <message>
        <source>Sign-in failed unexpectedly ({name}). Try again.</source>
        <translation>El inicio de sesión falló de forma inesperada ({name}). Vuelva a intentarlo.</translation>
    </message>
    <message>
        <source>Password accepted for &lt;b&gt;{username}&lt;/b&gt;. Enter the 6-digit code from your authenticator app.</source>
        <translation>Contraseña aceptada para &lt;b&gt;{username}&lt;/b&gt;. Escriba el código de 6 dígitos de su aplicación de autenticación.</translation>
    </message>
    <message>
        <source>Server: {server_url}</source>
        <translation>Servidor: {server_url}</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Comprobando…</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Iniciando sesión…</translation>
    </message>
    <message>
        <source>Verify code</source>
        <translation>Verificar código</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>Contacting {server_url}…</source>
        <translation>Conectando con {server_url}…</translation>
    </message>
</context>
<context>
    <name>SignInWindow</name>
    <message>
        <source>{app} — Sign in</source>
        <translation>{app} — Iniciar sesión</translation>
    </message>
    <message>
        <source>Sign in to send and track IV nutrition prescriptions.</source>
        <translation>Inicie sesión para enviar recetas de nutrición IV y darles seguimiento.</translation>
    </message>
    <message>
        <source>Diagnostics copied to the clipboard.</source>
        <translation>Diagnóstico copiado al portapapeles.</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <source>Request an account</source>
        <translation>Solicitar una cuenta</translation>
    </message>
    <message>
        <source>Activate account</source>
        <translation>Activar cuenta</translation>
    </message>
</context>
<context>
    <name>SignatureCheck</name>
    <message>
        <source>Signature NOT verified: the order shown does not match the content hash the server stored for it. Do not approve it; tell the pharmacy&apos;s administrator.</source>
        <translation>Firma NO verificada: la orden mostrada no coincide con el hash de contenido que el servidor guardó para ella. No la apruebe; avise al administrador de la farmacia.</translation>
    </message>
    <message>
        <source>Signature NOT verified: the order shown is not the one the prescriber signed (its hash differs from the signed hash). Do not approve it; ask the prescriber to sign it again.</source>
        <translation>Firma NO verificada: la orden mostrada no es la que firmó el prescriptor (su hash difiere del hash firmado). No la apruebe; pida al prescriptor que la firme de nuevo.</translation>
    </message>
    <message>
        <source>Signature NOT verified: no signature is recorded for this order. Do not approve it.</source>
        <translation>Firma NO verificada: no consta ninguna firma para esta orden. No la apruebe.</translation>
    </message>
    <message>
        <source>Signature NOT verified: the order holds a value that cannot be hashed. Do not approve it; tell the pharmacy&apos;s administrator.</source>
        <translation>Firma NO verificada: la orden contiene un valor que no se puede convertir en hash. No la apruebe; avise al administrador de la farmacia.</translation>
    </message>
    <message>
        <source>Signature verified</source>
        <translation>Firma verificada</translation>
    </message>
</context>
<context>
    <name>Signing</name>
    <message>
        <source>Discard this prescription?</source>
        <translation>¿Descartar esta receta?</translation>
    </message>
    <message>
        <source>The prescription has not been sent. Discard what you entered?</source>
        <translation>La receta no se ha enviado. ¿Descartar lo que escribió?</translation>
    </message>
</context>
<context>
    <name>StaffWindow</name>
    <message>
        <source> Prepared drafts</source>
        <translation> Borradores preparados</translation>
    </message>
    <message>
        <source>Loading your clinic&apos;s drafts…</source>
        <translation>Cargando los borradores de su clínica…</translation>
    </message>
    <message>
        <source>Drafts for your clinic&apos;s prescribers</source>
        <translation>Borradores para los prescriptores de su clínica</translation>
    </message>
    <message>
        <source>New draft</source>
        <translation>Nuevo borrador</translation>
    </message>
    <message>
        <source>Prepare a new prescription draft (Ctrl+N)</source>
        <translation>Preparar un nuevo borrador de receta (Ctrl+N)</translation>
    </message>
    <message>
        <source>Check for updates now (F5).</source>
        <translation>Buscar novedades ahora (F5).</translation>
    </message>
    <message>
        <source>You prepare prescriptions; the prescriber reviews, signs and sends them. A saved draft waits in their Drafts tab until they do.</source>
        <translation>Usted prepara las recetas; el prescriptor las revisa, firma y envía. Un borrador guardado espera en su pestaña Borradores hasta que lo haga.</translation>
    </message>
    <message>
        <source>Lists</source>
        <translation>Listas</translation>
    </message>
    <message>
        <source>Saved for prescribers</source>
        <translation>Guardados para prescriptores</translation>
    </message>
    <message>
        <source>Work not yet saved for a prescriber, kept encrypted on this computer. Open it to finish and save it.</source>
        <translation>Trabajo aún no guardado para un prescriptor, conservado cifrado en esta computadora. Ábralo para terminarlo y guardarlo.</translation>
    </message>
    <message>
        <source>On this computer</source>
        <translation>En esta computadora</translation>
    </message>
    <message>
        <source>Patient</source>
        <translation>Paciente</translation>
    </message>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>For</source>
        <translation>Para</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Actualizado</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Drafts prepared on the server</source>
        <translation>Borradores preparados en el servidor</translation>
    </message>
    <message>
        <source>No drafts saved yet. Press “New draft” to prepare one.</source>
        <translation>Aún no hay borradores guardados. Pulse «Nuevo borrador» para preparar uno.</translation>
    </message>
    <message>
        <source>Prescriber to prepare for</source>
        <translation>Prescriptor para quien se prepara</translation>
    </message>
    <message>
        <source>Loading prescribers…</source>
        <translation>Cargando prescriptores…</translation>
    </message>
    <message>
        <source>The prescriber of your clinic who will review and sign</source>
        <translation>El prescriptor de su clínica que revisará y firmará</translation>
    </message>
    <message>
        <source> Save for prescriber</source>
        <translation> Guardar para el prescriptor</translation>
    </message>
    <message>
        <source> Save for {chosen}</source>
        <translation> Guardar para {chosen}</translation>
    </message>
    <message>
        <source>Choose the prescriber it is for first</source>
        <translation>Elija primero el prescriptor al que va dirigido</translation>
    </message>
    <message>
        <source>Store this draft on the server for {chosen} to review and sign (Ctrl+Enter)</source>
        <translation>Guardar este borrador en el servidor para que {chosen} lo revise y firme (Ctrl+Intro)</translation>
    </message>
    <message>
        <source>Choose a prescriber</source>
        <translation>Elija un prescriptor</translation>
    </message>
    <message>
        <source>No prescriber in your clinic</source>
        <translation>No hay prescriptores en su clínica</translation>
    </message>
    <message>
        <source>Your clinic has no active prescriber to prepare drafts for. Ask the pharmacy to check your clinic&apos;s accounts.</source>
        <translation>Su clínica no tiene ningún prescriptor activo para quien preparar borradores. Pida a la farmacia que revise las cuentas de su clínica.</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Abrir</translation>
    </message>
    <message>
        <source>Keep editing this draft</source>
        <translation>Seguir editando este borrador</translation>
    </message>
    <message>
        <source>{count} waiting for a signature</source>
        <translation>{count} en espera de firma</translation>
    </message>
    <message>
        <source>Saved for prescribers ({count})</source>
        <translation>Guardados para prescriptores ({count})</translation>
    </message>
    <message>
        <source>On this computer ({count})</source>
        <translation>En esta computadora ({count})</translation>
    </message>
    <message>
        <source>Choose the prescriber this draft is for first.</source>
        <translation>Elija primero el prescriptor para quien es este borrador.</translation>
    </message>
    <message>
        <source>Saved for {prescriber_name}. It waits in their Drafts tab for review and signature.</source>
        <translation>Guardado para {prescriber_name}. Espera en su pestaña Borradores para revisión y firma.</translation>
    </message>
    <message>
        <source>{message} Your version is kept on this computer; reopen the draft from the list to see the other change.</source>
        <translation>{message} Su versión se conserva en esta computadora; vuelva a abrir el borrador desde la lista para ver el otro cambio.</translation>
    </message>
    <message>
        <source>Not saved on the server: {error}. Your work is kept on this computer.</source>
        <translation>No se guardó en el servidor: {error}. Su trabajo se conserva en esta computadora.</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>Submitted — awaiting pharmacist review</source>
        <translation>Enviada — en espera de revisión del farmacéutico</translation>
    </message>
    <message>
        <source>Pharmacist asked a question</source>
        <translation>El farmacéutico hizo una pregunta</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Aprobada</translation>
    </message>
    <message>
        <source>Being compounded</source>
        <translation>En preparación</translation>
    </message>
    <message>
        <source>Ready to ship</source>
        <translation>Lista para despachar</translation>
    </message>
    <message>
        <source>Shipped</source>
        <translation>Despachada</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rechazada</translation>
    </message>
    <message>
        <source>Cancelled by the prescriber</source>
        <translation>Cancelada por el prescriptor</translation>
    </message>
</context>
<context>
    <name>Storage</name>
    <message>
        <source>Refrigerated, 2–8 °C</source>
        <translation>Refrigerado, 2–8 °C</translation>
    </message>
    <message>
        <source>Room temperature, 20–25 °C</source>
        <translation>Temperatura ambiente, 20–25 °C</translation>
    </message>
    <message>
        <source>Frozen, −25 to −10 °C</source>
        <translation>Congelado, −25 a −10 °C</translation>
    </message>
</context>
<context>
    <name>TemplateCard</name>
    <message>
        <source>Template</source>
        <translation>Plantilla</translation>
    </message>
    <message>
        <source>Loading templates…</source>
        <translation>Cargando plantillas…</translation>
    </message>
    <message>
        <source>Could not load templates: {error}</source>
        <translation>No se pudieron cargar las plantillas: {error}</translation>
    </message>
    <message>
        <source>No templates are published yet.</source>
        <translation>Aún no hay plantillas publicadas.</translation>
    </message>
    <message>
        <source>Start from your favorite “{name}” (click or Enter)</source>
        <translation>Empezar desde su favorito «{name}» (clic o Intro)</translation>
    </message>
    <message>
        <source>Choose the template to prescribe from.</source>
        <translation>Elija la plantilla con la que va a recetar.</translation>
    </message>
</context>
<context>
    <name>Tls</name>
    <message>
        <source>The CA bundle {path} in the settings cannot be used ({error}). Ask the pharmacy for its CA certificate file (PEM).</source>
        <translation>No se puede usar el paquete de CA {path} de la configuración ({error}). Pida a la farmacia su archivo de certificado de CA (PEM).</translation>
    </message>
    <message>
        <source>TLS handshake failed</source>
        <translation>falló el protocolo de enlace TLS</translation>
    </message>
    <message>
        <source>The connection to {host} is not secure: its certificate could not be verified ({reason}). Check the address; if the pharmacy uses its own certificate authority, set its CA bundle in the settings.</source>
        <translation>La conexión con {host} no es segura: no se pudo verificar su certificado ({reason}). Revise la dirección; si la farmacia usa su propia autoridad de certificación, configure su paquete de CA en la configuración.</translation>
    </message>
    <message>
        <source>No secure connection could be set up with {host} ({reason}). Check the address: the server may not speak HTTPS on that port.</source>
        <translation>No se pudo establecer una conexión segura con {host} ({reason}). Revise la dirección: puede que el servidor no use HTTPS en ese puerto.</translation>
    </message>
</context>
<context>
    <name>UsersView</name>
    <message>
        <source>Disabled</source>
        <translation>Desactivada</translation>
    </message>
    <message>
        <source>Locked until {when}</source>
        <translation>Bloqueada hasta {when}</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Activa</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Usuarios</translation>
    </message>
    <message>
        <source> Refresh</source>
        <translation> Actualizar</translation>
    </message>
    <message>
        <source>Disabling an account or resetting its two-factor sign-in ends its sessions at once. A reset e-mails a code to enrol an authenticator again.</source>
        <translation>Desactivar una cuenta o restablecer su inicio de sesión de doble factor cierra sus sesiones al instante. El restablecimiento envía por correo un código para volver a registrar una aplicación de autenticación.</translation>
    </message>
    <message>
        <source>Select a user.</source>
        <translation>Seleccione un usuario.</translation>
    </message>
    <message>
        <source>Disable…</source>
        <translation>Desactivar…</translation>
    </message>
    <message>
        <source>Re-enable</source>
        <translation>Reactivar</translation>
    </message>
    <message>
        <source>Reset two-factor…</source>
        <translation>Restablecer doble factor…</translation>
    </message>
    <message>
        <source>Change licence expiry…</source>
        <translation>Cambiar el vencimiento de la licencia…</translation>
    </message>
    <message>
        <source>Sessions…</source>
        <translation>Sesiones…</translation>
    </message>
    <message>
        <source>Could not load the users: {error}</source>
        <translation>No se pudieron cargar los usuarios: {error}</translation>
    </message>
    <message>
        <source>Enrolled</source>
        <translation>Registrado</translation>
    </message>
    <message>
        <source>Not enrolled</source>
        <translation>Sin registrar</translation>
    </message>
    <message>
        <source>{total} accounts</source>
        <translation>{total} cuentas</translation>
    </message>
    <message>
        <source>{name} · {status}</source>
        <translation>{name} · {status}</translation>
    </message>
    <message>
        <source>Disable account</source>
        <translation>Desactivar la cuenta</translation>
    </message>
    <message>
        <source>Disable {name} ({username})? They are signed out everywhere at once and cannot sign in until re-enabled.</source>
        <translation>¿Desactivar a {name} ({username})? Sale de todas sus sesiones al instante y no puede iniciar sesión hasta que se reactive.</translation>
    </message>
    <message>
        <source>{username} can sign in again.</source>
        <translation>{username} puede volver a iniciar sesión.</translation>
    </message>
    <message>
        <source>{username} is disabled and signed out.</source>
        <translation>{username} está desactivado y fuera de sesión.</translation>
    </message>
    <message>
        <source>Reset two-factor sign-in</source>
        <translation>Restablecer el inicio de sesión de doble factor</translation>
    </message>
    <message>
        <source>Reset the two-factor sign-in of {name} ({username})? Their authenticator stops working, they are signed out, and a code to enrol again is e-mailed to {email}.</source>
        <translation>¿Restablecer el inicio de sesión de doble factor de {name} ({username})? Su aplicación de autenticación deja de funcionar, sale de la sesión y se envía a {email} un código para volver a registrarse.</translation>
    </message>
    <message>
        <source>Two-factor reset. {username} was e-mailed a code to enrol again.</source>
        <translation>Doble factor restablecido. Se envió a {username} un código para volver a registrarse.</translation>
    </message>
    <message>
        <source>The licence of {username} now expires on {date}.</source>
        <translation>La licencia de {username} vence ahora el {date}.</translation>
    </message>
</context>
<context>
    <name>WindowMenus</name>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Edición</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <source>&amp;Prescription</source>
        <translation>&amp;Receta</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Ay&amp;uda</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Actualizar</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>Atajos de teclado</translation>
    </message>
    <message>
        <source>About</source>
        <translation>Acerca de</translation>
    </message>
    <message>
        <source>More menus</source>
        <translation>Más menús</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Salir</translation>
    </message>
    <message>
        <source>Diagnostics copied to the clipboard.</source>
        <translation>Diagnóstico copiado al portapapeles.</translation>
    </message>
</context>
</TS>
