// Package web holds the browser assets the server bundles: the GraphiQL
// explorer, with React and GraphiQL copied from the npm packages pinned in
// package.json (`make assets`), so that it loads with no network.
package web

import "embed"

// Explorer is index.html and the assets it loads, under explorer/.
//
//go:embed explorer
var Explorer embed.FS
