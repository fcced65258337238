// Package notify sends alpage's e-mails and SMS and keeps the record of every
// message in the outbox table.
//
// # Rules
//
//   - A message is rendered in the recipient's language (fr, en, de, it, es),
//     falling back to English for an unknown language.
//   - Send inserts the outbox row (status "queued") and enqueues its delivery
//     job in the caller's transaction: a rolled-back change sends nothing, a
//     committed one cannot lose its message (DESIGN.md "Every change is one
//     transaction").
//   - The delivery job is at-least-once and idempotent: a row already "sent"
//     is left alone. On failure it counts the attempt, stores the error (never
//     a secret) and lets River retry; after River's last attempt the row is
//     "failed".
//   - With Config.Hold (serve --dev, or no SMTP host configured) nothing leaves
//     the server: rows become "held" and GET /api/1/_dev/outbox lists them,
//     newest first, with the links found in their text.
//   - Security e-mails (templates named security_*) carry no link at all
//     (SPEC SEC-6): they tell the user to open the console and check the
//     recent activity. A test enforces it.
//
// # Outbox states
//
//	queued ──deliver ok──> sent
//	  │ └──Hold──────────> held
//	  └──last attempt failed──> failed
//
// # Adding a template
//
// Adding a template is adding files; no Go code changes. Under templates/,
// make a folder named after the template in email/ or sms/ (the folder gives
// the channel), holding for every language in Languages():
//
//	templates/email/<name>/<lang>.subject  one line, text/template
//	templates/email/<name>/<lang>.txt      the text body, text/template
//	templates/email/<name>/<lang>.html     the HTML body, html/template; it is
//	                                       placed in templates/layout.html
//	templates/sms/<name>/<lang>.subject    a short label, shown in the outbox only
//	templates/sms/<name>/<lang>.txt        the SMS text, one short line
//
// and one sample.json with example data for every key the template uses. The
// templates run with missingkey=error, so a key missing from Message.Data is
// an error from Send rather than a "<no value>" in a customer's mailbox.
// Besides the caller's data, every template may use {{.BaseURL}}, the
// server's absolute address. HTML bodies may call {{button URL LABEL}} for
// the branded call-to-action button. Sign e-mails "alpage". The catalog test
// checks every template in every language against its sample data.
package notify
