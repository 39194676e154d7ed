<?php
// sabre/dav CalDAV server for the integration tests, run by `php -S`
// (see sabre.sh). Debian bookworm ships sabre/dav 1.8: CalDAV with CTags,
// no sync-collection and no implicit scheduling (both came in 2.x); its
// scheduling support is the outbox with an iMIP handler, enabled here with
// mail going to a log file instead of a mail server.
//
// The environment chooses the authentication: SABRE_AUTH=basic or digest
// (Baïkal's default). Both instances share one SQLite database.

error_reporting(E_ALL & ~E_DEPRECATED & ~E_STRICT & ~E_NOTICE & ~E_WARNING);
date_default_timezone_set('UTC');
require_once 'Sabre/autoload.php';

// Baïkal's web server configuration redirects the well-known URL (RFC 6764).
if (parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) === '/.well-known/caldav') {
    header('Location: /', true, 301);
    exit;
}

$state = getenv('SABRE_STATE') ?: __DIR__;
$pdo = new PDO('sqlite:' . $state . '/db.sqlite');
$pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
$pdo->exec('PRAGMA busy_timeout = 5000');

// Basic: the users table keeps the digest hash md5(user:realm:password)
// for Digest, so Basic checks the password against the same hash.
class HashBasic extends \Sabre\DAV\Auth\Backend\AbstractBasic {
    private $pdo;
    function __construct(PDO $pdo) { $this->pdo = $pdo; }
    protected function validateUserPass($username, $password) {
        $stmt = $this->pdo->prepare('SELECT digesta1 FROM users WHERE username = ?');
        $stmt->execute([$username]);
        $hash = $stmt->fetchColumn();
        return $hash !== false && hash_equals($hash, md5($username . ':SabreDAV:' . $password));
    }
}

// iMIP messages the server would send are appended to mail.log, so that
// a test can see an invitation the server sent on its own.
class LoggedIMip extends \Sabre\CalDAV\Schedule\IMip {
    private $file;
    function __construct($sender, $file) { parent::__construct($sender); $this->file = $file; }
    protected function mail($to, $subject, $body, array $headers) {
        file_put_contents($this->file, "To: $to\nSubject: $subject\n" . implode("\n", $headers) . "\n\n$body\n.\n", FILE_APPEND | LOCK_EX);
    }
}

$authBackend = getenv('SABRE_AUTH') === 'digest'
    ? new \Sabre\DAV\Auth\Backend\PDO($pdo)
    : new HashBasic($pdo);
$calendarBackend = new \Sabre\CalDAV\Backend\PDO($pdo);
$principalBackend = new \Sabre\DAVACL\PrincipalBackend\PDO($pdo);

$server = new \Sabre\DAV\Server([
    new \Sabre\CalDAV\Principal\Collection($principalBackend),
    new \Sabre\CalDAV\CalendarRootNode($principalBackend, $calendarBackend),
]);
$server->setBaseUri('/');
$server->addPlugin(new \Sabre\DAV\Auth\Plugin($authBackend, 'SabreDAV'));
$server->addPlugin(new \Sabre\DAVACL\Plugin());
$caldav = new \Sabre\CalDAV\Plugin();
$caldav->setIMipHandler(new LoggedIMip('server@example.org', $state . '/mail.log'));
$server->addPlugin($caldav);
$server->exec();
