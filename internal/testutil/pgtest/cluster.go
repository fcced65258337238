package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// dirPrefix names the temporary directories of test clusters.
const dirPrefix = "alpage-pgtest-"

// cluster is a running PostgreSQL server that this process started.
type cluster struct {
	dir    string // temporary directory: data/, socket/, postgres.log, owner.pid
	port   int
	cmd    *exec.Cmd
	exited chan struct{} // closed when the server process has exited
}

// findBinaries returns the paths of initdb and postgres: the Debian
// PostgreSQL 15 directory first, then PATH.
func findBinaries() (initdb, postgres string, err error) {
	dir := "/usr/lib/postgresql/15/bin"
	initdb, postgres = filepath.Join(dir, "initdb"), filepath.Join(dir, "postgres")
	if isExecutable(initdb) && isExecutable(postgres) {
		return initdb, postgres, nil
	}
	initdb, err1 := exec.LookPath("initdb")
	postgres, err2 := exec.LookPath("postgres")
	if err := errors.Join(err1, err2); err != nil {
		return "", "", fmt.Errorf("no initdb/postgres in %s nor on PATH: %w", dir, err)
	}
	return initdb, postgres, nil
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	return err == nil && !info.IsDir() && info.Mode()&0o111 != 0
}

// credential returns whom to run PostgreSQL as: nil (ourselves) unless we are
// root, which initdb and postgres refuse; then "postgres", else "nobody".
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var lastErr error
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			lastErr = err
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("user %s: %w", name, err)
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, fmt.Errorf("running as root and no user postgres or nobody to run PostgreSQL as: %w", lastErr)
}

// startCluster runs initdb in a new temporary directory and starts postgres
// on a free loopback port, retrying with another port if that one is taken.
func startCluster() (*cluster, error) {
	initdb, postgres, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	parent := os.TempDir()
	if cred != nil && !worldSearchable(parent) {
		parent = "/tmp" // the server user must reach its directory
	}
	removeStaleDirs(parent)
	dir, err := os.MkdirTemp(parent, dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("pgtest: creating the cluster directory: %w", err)
	}
	c := &cluster{dir: dir}
	if err := c.prepare(initdb, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		err = c.start(postgres, cred)
		if err == nil {
			return c, nil
		}
		if attempt == 3 || !strings.Contains(c.logTail(), "could not bind") {
			os.RemoveAll(dir)
			return nil, err
		}
	}
}

// worldSearchable reports whether any user may traverse dir.
func worldSearchable(dir string) bool {
	info, err := os.Stat(dir)
	return err == nil && info.Mode().Perm()&0o001 != 0
}

// removeStaleDirs deletes the cluster directories of test processes that
// died without calling Shutdown (their servers died with them).
func removeStaleDirs(parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, dirPrefix+"*"))
	for _, d := range dirs {
		raw, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
		if err != nil || pid <= 0 {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(d)
		}
	}
}

// prepare writes owner.pid, hands the directory to the server user, and
// runs initdb.
func (c *cluster) prepare(initdb string, cred *syscall.Credential) error {
	if err := os.WriteFile(filepath.Join(c.dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return fmt.Errorf("pgtest: writing owner.pid: %w", err)
	}
	if err := os.Mkdir(filepath.Join(c.dir, "socket"), 0o700); err != nil {
		return fmt.Errorf("pgtest: creating the socket directory: %w", err)
	}
	if cred != nil {
		for _, p := range []string{c.dir, filepath.Join(c.dir, "socket")} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return fmt.Errorf("pgtest: handing %s to uid %d: %w", p, cred.Uid, err)
			}
		}
	}
	cmd := exec.Command(initdb, "-D", filepath.Join(c.dir, "data"), "-U", "postgres",
		"--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions")
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: %s failed: %w\n%s", initdb, err, out)
	}
	return nil
}

// serverEnv is a minimal environment: no PG* variables of the caller leak in.
func serverEnv() []string {
	return []string{"PATH=/usr/bin:/bin", "LC_ALL=C", "TZ=UTC"}
}

// start launches postgres on a free port and waits until it accepts
// connections. The server receives SIGQUIT (immediate shutdown) if this
// process exits without stopping it.
func (c *cluster) start(postgres string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return fmt.Errorf("pgtest: finding a free port: %w", err)
	}
	logFile, err := os.Create(filepath.Join(c.dir, "postgres.log"))
	if err != nil {
		return fmt.Errorf("pgtest: creating the server log: %w", err)
	}
	defer logFile.Close()
	cmd := exec.Command(postgres,
		"-D", filepath.Join(c.dir, "data"),
		"-p", strconv.Itoa(port),
		"-k", filepath.Join(c.dir, "socket"),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=300",
		"-c", "shared_buffers=32MB",
		"-c", "max_parallel_workers_per_gather=0",
		"-c", "timezone=UTC",
	)
	cmd.Dir = c.dir
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: starting %s: %w", postgres, err)
	}
	c.cmd, c.port, c.exited = cmd, port, make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(c.exited)
	}()
	if err := c.waitReady(60 * time.Second); err != nil {
		c.kill()
		return fmt.Errorf("pgtest: PostgreSQL did not start: %w%s", err, c.logTail())
	}
	return nil
}

// waitReady polls the server until it answers, exits, or the limit passes.
func (c *cluster) waitReady(limit time.Duration) error {
	dsn := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", c.port)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.After(limit)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-c.exited:
			return fmt.Errorf("the server exited")
		case <-deadline:
			return fmt.Errorf("no answer after %s: %w", limit, err)
		case <-tick.C:
		}
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// kill stops the server at once and waits for it.
func (c *cluster) kill() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Kill()
	<-c.exited
}

// stop shuts the server down (fast mode, then kill) and removes the
// directory.
func (c *cluster) stop() {
	if c.cmd != nil && c.cmd.Process != nil {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.exited:
		case <-time.After(30 * time.Second):
			c.kill()
		}
	}
	os.RemoveAll(c.dir)
}

// logTail returns the end of the server log, for error messages.
func (c *cluster) logTail() string {
	raw, err := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if err != nil || len(raw) == 0 {
		return ""
	}
	if len(raw) > 2000 {
		raw = raw[len(raw)-2000:]
	}
	return "\n--- postgres.log (end) ---\n" + string(bytes.TrimSpace(raw))
}
