package notify

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	smtpmock "github.com/mocktools/go-smtp-mock/v2"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/alpage/alpage/internal/clock"
	"github.com/alpage/alpage/internal/jobs"
	"github.com/alpage/alpage/internal/store"
)

var testNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

// bundle is one test's fresh database, clock, queue and notifier.
type bundle struct {
	db  *store.DB
	clk *clock.Fixed
	q   *jobs.Queue
	n   *Notifier
}

// setup opens a migrated SQLite database in a temporary directory. With work
// the queue runs jobs (stopped at cleanup); without, it only inserts them and
// tests call the worker themselves.
func setup(t *testing.T, cfg Config, sms SMSSender, work bool) *bundle {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	clk := clock.NewFixed(testNow)
	q := jobs.New(db, clk, logger)
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://127.0.0.1:8080/"
	}
	if cfg.From == "" {
		cfg.From = "alpage <no-reply@alpage.example>"
	}
	n := New(db, clk, q, cfg, sms, logger)
	RegisterWorkers(q, n)
	if err := q.Open(work); err != nil {
		t.Fatal(err)
	}
	if work {
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			_ = q.Stop(ctx)
		})
	}
	return &bundle{db: db, clk: clk, q: q, n: n}
}

// send sends m in its own committed transaction.
func (b *bundle) send(t *testing.T, m Message) string {
	t.Helper()
	var outboxID string
	err := b.db.WithTx(context.Background(), func(tx *sql.Tx) error {
		var err error
		outboxID, err = b.n.Send(context.Background(), tx, m)
		return err
	})
	if err != nil {
		t.Fatalf("sending %s: %v", m.Template, err)
	}
	return outboxID
}

// waitIdle waits until the queue has worked every due job.
func (b *bundle) waitIdle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := b.q.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func (b *bundle) get(t *testing.T, outboxID string) OutboxEntry {
	t.Helper()
	e, err := b.n.Get(context.Background(), outboxID)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// deliverJobs counts the delivery jobs in the queue.
func (b *bundle) deliverJobs(t *testing.T) []string {
	t.Helper()
	rows, err := b.db.QueryContext(context.Background(), `SELECT args FROM river_job WHERE kind = $1`, DeliverArgs{}.Kind())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var args string
		if err := rows.Scan(&args); err != nil {
			t.Fatal(err)
		}
		out = append(out, args)
	}
	return out
}

// work runs the delivery worker once, as River would for attempt of max.
func (b *bundle) work(t *testing.T, outboxID string, attempt, maxAttempts int) error {
	t.Helper()
	w := &deliverWorker{n: b.n}
	return w.Work(context.Background(), &river.Job[DeliverArgs]{
		JobRow: &rivertype.JobRow{ID: 1, Attempt: attempt, MaxAttempts: maxAttempts, Kind: DeliverArgs{}.Kind()},
		Args:   DeliverArgs{OutboxID: outboxID},
	})
}

func confirmMessage(to, lang string) Message {
	return Message{Channel: ChannelEmail, To: to, Language: lang, Template: "confirm_email",
		Data: map[string]any{"FirstName": "Anna", "Link": "http://127.0.0.1:8080/confirm?token=abc123"}}
}

// startSMTP runs an in-process SMTP server on a loopback port.
func startSMTP(t *testing.T) *smtpmock.Server {
	t.Helper()
	srv := smtpmock.New(smtpmock.ConfigurationAttr{
		HostAddress:              "127.0.0.1",
		MultipleMessageReceiving: true, // go-mail sends RSET after DATA
	})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

// closedPort returns a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// Side effects are enqueued in the transaction of the change (DESIGN.md): a
// rolled-back change leaves neither an outbox row nor a job.
func TestSend_RolledBackTransactionSendsNothing(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true}, nil, false)
	ctx := context.Background()
	errBoom := errors.New("boom")
	err := b.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := b.n.Send(ctx, tx, confirmMessage("anna@example.com", "en")); err != nil {
			return err
		}
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("WithTx = %v, want boom", err)
	}
	entries, err := b.n.List(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("outbox has %d rows after rollback, want 0", len(entries))
	}
	if jobs := b.deliverJobs(t); len(jobs) != 0 {
		t.Errorf("queue has %d delivery jobs after rollback, want 0", len(jobs))
	}
}

func TestSend_CommitRecordsQueuedRowAndJob(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true}, nil, false)
	m := confirmMessage("anna@example.com", "fr")
	m.UserID = "0195a0c6-7a4e-7000-8000-000000000001"
	outboxID := b.send(t, m)

	e := b.get(t, outboxID)
	if e.Status != StatusQueued || e.Channel != ChannelEmail || e.Recipient != "anna@example.com" ||
		e.Language != "fr" || e.Template != "confirm_email" || e.Attempts != 0 || e.SentAt != nil {
		t.Errorf("entry = %+v", e)
	}
	if e.Subject != "Confirmez votre adresse e-mail" {
		t.Errorf("subject = %q", e.Subject)
	}
	if !strings.Contains(e.BodyText, "Bonjour Anna,") || !strings.Contains(e.BodyText, "48 heures") {
		t.Errorf("text body = %q", e.BodyText)
	}
	if !strings.Contains(e.BodyHTML, `<a href="http://127.0.0.1:8080/confirm?token=abc123"`) {
		t.Errorf("HTML body has no confirmation link: %s", e.BodyHTML)
	}
	if len(e.Links) != 1 || e.Links[0] != "http://127.0.0.1:8080/confirm?token=abc123" {
		t.Errorf("links = %q", e.Links)
	}
	if !e.CreatedAt.Equal(testNow) {
		t.Errorf("created_at = %v, want the clock's %v", e.CreatedAt, testNow)
	}
	jobs := b.deliverJobs(t)
	if len(jobs) != 1 || !strings.Contains(jobs[0], outboxID) {
		t.Errorf("delivery jobs = %q, want one for %s", jobs, outboxID)
	}
}

func TestSend_Refusals(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true}, nil, false)
	ctx := context.Background()
	tests := map[string]Message{
		"unknown template": {To: "a@example.com", Template: "nope"},
		"missing data":     {To: "a@example.com", Template: "confirm_email", Data: map[string]any{"FirstName": "A"}},
		"wrong channel":    {Channel: ChannelSMS, To: "+41791234567", Template: "confirm_email", Data: confirmMessage("", "").Data},
		"bad e-mail":       {To: "Anna <a@example.com>", Template: "confirm_email", Data: confirmMessage("", "").Data},
		"bad phone":        {To: "079 123 45 67", Template: "sms_code", Data: map[string]any{"Code": "1"}},
	}
	for name, m := range tests {
		err := b.db.WithTx(ctx, func(tx *sql.Tx) error {
			_, err := b.n.Send(ctx, tx, m)
			return err
		})
		if err == nil {
			t.Errorf("%s: Send succeeded", name)
		}
		if name == "unknown template" && !errors.Is(err, ErrUnknownTemplate) {
			t.Errorf("%s: err = %v, want ErrUnknownTemplate", name, err)
		}
	}
	if entries, _ := b.n.List(ctx, "", 10); len(entries) != 0 {
		t.Errorf("refused messages left %d outbox rows", len(entries))
	}
}

// UI-4: e-mails are in the recipient's language, English when unknown.
func TestUI4_RecipientLanguageWithEnglishFallback(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true}, nil, false)
	tests := []struct{ lang, wantLang, wantSubject string }{
		{"de", "de", "Bestätigen Sie Ihre E-Mail-Adresse"},
		{"IT", "it", "Confermi il suo indirizzo e-mail"},
		{"es", "es", "Confirme su dirección de correo electrónico"},
		{"pt", "en", "Confirm your e-mail address"},
		{"", "en", "Confirm your e-mail address"},
	}
	for _, tt := range tests {
		e := b.get(t, b.send(t, confirmMessage("anna@example.com", tt.lang)))
		if e.Language != tt.wantLang || e.Subject != tt.wantSubject {
			t.Errorf("language %q: got %s %q, want %s %q", tt.lang, e.Language, e.Subject, tt.wantLang, tt.wantSubject)
		}
	}
}

func TestList_NewestFirst(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true}, nil, false)
	first := b.send(t, confirmMessage("anna@example.com", "en"))
	b.clk.Advance(time.Minute)
	second := b.send(t, confirmMessage("bob@example.com", "en"))
	third := b.send(t, confirmMessage("anna@example.com", "en")) // same time: id breaks the tie
	b.clk.Advance(time.Minute)
	fourth := b.send(t, confirmMessage("anna@example.com", "en"))

	ids := func(entries []OutboxEntry, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, e.ID)
		}
		return strings.Join(out, ",")
	}
	ctx := context.Background()
	if got, want := ids(b.n.List(ctx, "", 10)), strings.Join([]string{fourth, third, second, first}, ","); got != want {
		t.Errorf("List all = %s, want %s", got, want)
	}
	if got, want := ids(b.n.List(ctx, "anna@example.com", 10)), strings.Join([]string{fourth, third, first}, ","); got != want {
		t.Errorf("List anna = %s, want %s", got, want)
	}
	if got, want := ids(b.n.List(ctx, "", 2)), strings.Join([]string{fourth, third}, ","); got != want {
		t.Errorf("List limit 2 = %s, want %s", got, want)
	}
	if got := ids(b.n.List(ctx, "nobody@example.com", 10)); got != "" {
		t.Errorf("List nobody = %s, want none", got)
	}
}

func TestGet_UnknownIsNotFound(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true}, nil, false)
	for _, id := range []string{"0195a0c6-7a4e-7000-8000-000000000001", "not-an-id"} {
		if _, err := b.n.Get(context.Background(), id); err == nil || !strings.Contains(err.Error(), "object_not_found") {
			t.Errorf("Get(%q) = %v, want object_not_found", id, err)
		}
	}
}

// In --dev (Hold) the worker keeps the message in the outbox.
func TestWorker_HoldKeepsMessageInOutbox(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true, SMTPHost: "127.0.0.1", SMTPPort: closedPort(t), SMTPTLS: "none"}, SandboxSMS{}, true)
	mail := b.send(t, confirmMessage("anna@example.com", "en"))
	sms := b.send(t, Message{To: "+41791234567", Language: "fr", Template: "sms_code", Data: map[string]any{"Code": "482913"}})
	b.waitIdle(t)
	for _, id := range []string{mail, sms} {
		e := b.get(t, id)
		if e.Status != StatusHeld || e.Attempts != 0 || e.Error != "" || e.SentAt != nil {
			t.Errorf("%s entry = status %s, attempts %d, error %q, sent %v; want held", e.Channel, e.Status, e.Attempts, e.Error, e.SentAt)
		}
	}
}

// Without an SMTP host, e-mails are held even when Hold is off.
func TestWorker_NoSMTPHostHoldsEmail(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, nil, false)
	outboxID := b.send(t, confirmMessage("anna@example.com", "en"))
	if err := b.work(t, outboxID, 1, 10); err != nil {
		t.Fatal(err)
	}
	if e := b.get(t, outboxID); e.Status != StatusHeld {
		t.Errorf("status = %s, want held", e.Status)
	}
}

// The real queue delivers over real SMTP to an in-process server.
func TestWorker_DeliversOverSMTP(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t)
	b := setup(t, Config{SMTPHost: "127.0.0.1", SMTPPort: srv.PortNumber(), SMTPTLS: "none"}, nil, true)
	b.clk.Advance(time.Hour)
	outboxID := b.send(t, confirmMessage("anna@example.com", "en"))
	b.waitIdle(t)

	e := b.get(t, outboxID)
	if e.Status != StatusSent || e.Attempts != 1 || e.Error != "" {
		t.Fatalf("entry = status %s, attempts %d, error %q; want sent", e.Status, e.Attempts, e.Error)
	}
	if e.SentAt == nil || !e.SentAt.Equal(testNow.Add(time.Hour)) {
		t.Errorf("sent_at = %v, want the clock's %v", e.SentAt, testNow.Add(time.Hour))
	}
	msgs, err := srv.WaitForMessages(1, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if rcpt := fmt.Sprint(m.RcpttoRequestResponse()); !strings.Contains(rcpt, "<anna@example.com>") {
		t.Errorf("RCPT TO = %s, want anna@example.com", rcpt)
	}
	if !strings.Contains(m.MailfromRequest(), "<no-reply@alpage.example>") {
		t.Errorf("MAIL FROM = %s", m.MailfromRequest())
	}
	data := m.MsgRequest()
	for _, want := range []string{
		"Subject: Confirm your e-mail address",
		"To: <anna@example.com>",
		"Message-ID: <" + outboxID + "@alpage.example>",
		"Date: Sat, 14 Mar 2026 10:26:53 +0000",
	} {
		if !strings.Contains(data, want) {
			t.Errorf("message lacks header %q:\n%s", want, data)
		}
	}
	parts := mimeParts(t, data)
	if text := parts["text/plain"]; !strings.Contains(text, "Hello Anna,") ||
		!strings.Contains(text, "http://127.0.0.1:8080/confirm?token=abc123") {
		t.Errorf("text part = %q", text)
	}
	if html := parts["text/html"]; !strings.Contains(html, `<a href="http://127.0.0.1:8080/confirm?token=abc123"`) {
		t.Errorf("HTML part = %q", html)
	}
}

// mimeParts parses a multipart/alternative message and returns its decoded
// parts by content type.
func mimeParts(t *testing.T, data string) map[string]string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("parsing the received message: %v", err)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("reading a MIME part: %v", err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = string(body)
	}
	return out
}

// Delivery is at-least-once: a job that runs again for a sent message sends
// nothing more.
func TestWorker_SentMessageIsNotSentTwice(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t)
	b := setup(t, Config{SMTPHost: "127.0.0.1", SMTPPort: srv.PortNumber(), SMTPTLS: "none"}, nil, false)
	outboxID := b.send(t, confirmMessage("anna@example.com", "en"))
	for range 2 {
		if err := b.work(t, outboxID, 1, 10); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.WaitForMessages(1, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server received %d messages, want 1", n)
	}
	if e := b.get(t, outboxID); e.Status != StatusSent || e.Attempts != 1 {
		t.Errorf("entry = status %s, attempts %d; want sent after 1", e.Status, e.Attempts)
	}
}

// A failing SMTP server: the attempt is counted, the error stored, the job
// fails so River retries; after the last attempt the message is "failed".
func TestWorker_SMTPFailureIsRetriedThenFailed(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{SMTPHost: "127.0.0.1", SMTPPort: closedPort(t), SMTPTLS: "none",
		SMTPUsername: "alpage", SMTPPassword: "s3cret-Pa55"}, nil, false)
	outboxID := b.send(t, confirmMessage("anna@example.com", "en"))

	if err := b.work(t, outboxID, 1, 3); err == nil {
		t.Fatal("worker succeeded against a closed port")
	}
	e := b.get(t, outboxID)
	if e.Status != StatusQueued || e.Attempts != 1 || e.Error == "" || e.SentAt != nil {
		t.Fatalf("after attempt 1: status %s, attempts %d, error %q; want queued, 1, an error", e.Status, e.Attempts, e.Error)
	}
	if !strings.Contains(e.Error, "127.0.0.1") || strings.Contains(e.Error, "s3cret-Pa55") {
		t.Errorf("error = %q: want the server, never the password", e.Error)
	}

	if err := b.work(t, outboxID, 3, 3); err == nil {
		t.Fatal("last attempt succeeded against a closed port")
	}
	if e := b.get(t, outboxID); e.Status != StatusFailed || e.Attempts != 2 {
		t.Errorf("after last attempt: status %s, attempts %d; want failed, 2", e.Status, e.Attempts)
	}
}

func TestScrubRemovesPassword(t *testing.T) {
	t.Parallel()
	n := &Notifier{cfg: Config{SMTPPassword: "hunter22"}}
	if got := n.scrub("535 auth failed for hunter22"); strings.Contains(got, "hunter22") {
		t.Errorf("scrub kept the password: %q", got)
	}
}

// SMS go through the SMSSender and are recorded the same way.
func TestSMS_SandboxRecordedInOutbox(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{}, SandboxSMS{}, true)
	ok := b.send(t, Message{Channel: ChannelSMS, To: "+41791234567", Language: "de", Template: "sms_code",
		Data: map[string]any{"Code": "482913"}})
	failing := b.send(t, Message{Channel: ChannelSMS, To: SandboxFailingNumber, Language: "en", Template: "sms_code",
		Data: map[string]any{"Code": "111111"}})
	b.waitIdle(t)

	e := b.get(t, ok)
	if e.Channel != ChannelSMS || e.Status != StatusSent || e.Recipient != "+41791234567" || e.SentAt == nil {
		t.Errorf("SMS entry = %+v, want sent", e)
	}
	if e.BodyText != "alpage: Ihr Code lautet 482913. Geben Sie ihn niemandem weiter." || e.BodyHTML != "" {
		t.Errorf("SMS body = %q / %q", e.BodyText, e.BodyHTML)
	}
	f := b.get(t, failing)
	if f.Status == StatusSent || f.Attempts < 1 || !strings.Contains(f.Error, "sandbox") {
		t.Errorf("failing SMS entry = status %s, attempts %d, error %q", f.Status, f.Attempts, f.Error)
	}
	list, err := b.n.List(context.Background(), "+41791234567", 10)
	if err != nil || len(list) != 1 || list[0].ID != ok {
		t.Errorf("List(+41791234567) = %v, %v", list, err)
	}
}

func TestWorker_CancelsJobOfMissingMessage(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{Hold: true}, nil, false)
	err := b.work(t, "0195a0c6-7a4e-7000-8000-000000000009", 1, 10)
	var cancel *rivertype.JobCancelError
	if !errors.As(err, &cancel) {
		t.Errorf("err = %v, want a JobCancel", err)
	}
}

func TestBaseURLHasNoTrailingSlash(t *testing.T) {
	t.Parallel()
	n := New(nil, clock.NewFixed(testNow), nil, Config{BaseURL: "http://127.0.0.1:8080/"}, nil, nil)
	if got := n.BaseURL(); got != "http://127.0.0.1:8080" {
		t.Errorf("BaseURL = %q", got)
	}
}

// The messages of one transaction share one delivery job (enqueued just
// before its commit), without a message whose part of the transaction was
// rolled back (a savepoint); the job delivers each, once, and skips a
// message that is not there.
func TestWorker_MessagesOfOneTransactionShareAJob(t *testing.T) {
	t.Parallel()
	srv := startSMTP(t)
	b := setup(t, Config{SMTPHost: "127.0.0.1", SMTPPort: srv.PortNumber(), SMTPTLS: "none"}, nil, false)
	ctx := context.Background()
	var ids []string
	err := b.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, to := range []string{"anna@example.com", "ben@example.com", "rolled-back@example.com", "cleo@example.com"} {
			err := store.Savepoint(ctx, tx, func() error {
				id, err := b.n.Send(ctx, tx, confirmMessage(to, "en"))
				ids = append(ids, id)
				if to == "rolled-back@example.com" {
					return errors.New("given up")
				}
				return err
			})
			if err != nil && !strings.Contains(err.Error(), "given up") {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	jobs := b.deliverJobs(t)
	if len(jobs) != 1 || !strings.Contains(jobs[0], ids[0]) || !strings.Contains(jobs[0], ids[3]) ||
		strings.Contains(jobs[0], ids[2]) {
		t.Fatalf("delivery jobs = %v, want one carrying the 3 messages kept", jobs)
	}
	w := &deliverWorker{n: b.n}
	job := &river.Job[DeliverArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 10, Kind: DeliverArgs{}.Kind()},
		Args: DeliverArgs{OutboxIDs: ids}}
	for range 2 { // at least once: the second run sends nothing more
		if err := w.Work(ctx, job); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.WaitForMessages(3, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("server received %d messages, want 3", n)
	}
	for _, i := range []int{0, 1, 3} {
		if e := b.get(t, ids[i]); e.Status != StatusSent || e.Attempts != 1 {
			t.Errorf("message %d: status %s, attempts %d; want sent once", i, e.Status, e.Attempts)
		}
	}
}

// A message that fails in a shared job is retried by a job of its own; the
// others of the job are delivered.
func TestWorker_FailedMessageOfASharedJobIsRetriedAlone(t *testing.T) {
	t.Parallel()
	b := setup(t, Config{SMTPHost: "127.0.0.1", SMTPPort: closedPort(t), SMTPTLS: "none"}, nil, false)
	ctx := context.Background()
	var ids []string
	err := b.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, to := range []string{"anna@example.com", "ben@example.com"} {
			id, err := b.n.Send(ctx, tx, confirmMessage(to, "en"))
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &deliverWorker{n: b.n}
	job := &river.Job[DeliverArgs]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1, MaxAttempts: 10, Kind: DeliverArgs{}.Kind()},
		Args: DeliverArgs{OutboxIDs: ids}}
	if err := w.Work(ctx, job); err != nil {
		t.Fatalf("the shared job failed (%v): its failed messages should be retried alone", err)
	}
	jobs := b.deliverJobs(t)
	if len(jobs) != 3 {
		t.Fatalf("delivery jobs = %v, want the shared one and one per failed message", jobs)
	}
	for _, id := range ids {
		if e := b.get(t, id); e.Status != StatusQueued || e.Attempts != 1 || e.Error == "" {
			t.Errorf("message %s: status %s, attempts %d, error %q; want queued after a failed attempt", id, e.Status, e.Attempts, e.Error)
		}
		alone := 0
		for _, j := range jobs {
			if strings.Contains(j, `"outbox_id":"`+id+`"`) {
				alone++
			}
		}
		if alone != 1 {
			t.Errorf("message %s has %d jobs of its own, want 1", id, alone)
		}
	}
}
