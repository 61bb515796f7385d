// slugify prints the URL slug of its arguments.
package main

import (
	"fmt"
	"os"
	"strings"

	"example.com/slugify/slug"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: slugify TITLE...")
		os.Exit(2)
	}
	fmt.Println(slug.Make(strings.Join(os.Args[1:], " ")))
}
