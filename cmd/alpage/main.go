// Command alpage is the console and API for hosting providers' customers.
// It only parses the command line and calls internal/app.
package main

import (
	"os"

	"github.com/alecthomas/kong"
)

func main() {
	var cli CLI
	ctx := kong.Parse(&cli,
		kong.Name("alpage"),
		kong.Description("alpage: the open-source Manager for hosting and cloud providers."),
		kong.UsageOnError(),
		kong.DefaultEnvars("ALPAGE"),
	)
	if err := ctx.Run(&cli); err != nil {
		ctx.Errorf("%s", err)
		os.Exit(1)
	}
}
