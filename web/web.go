// Package web holds the browser assets the server bundles: the GraphiQL
// explorer, with React and GraphiQL copied from the npm packages pinned in
// package.json, and the <kg-relationship-view> element built from
// component/ by esbuild (`make assets` refreshes both), so that they load
// with no network.
package web

import "embed"

// Explorer is index.html and the assets it loads, under explorer/.
//
//go:embed explorer
var Explorer embed.FS

// Embed is the built element, under embed/: the one file an app loads.
//
//go:embed embed
var Embed embed.FS

// Explore is the explorer's pages (search, entity, chain, paths, timeline),
// one page app under explore/ built on the element.
//
//go:embed explore
var Explore embed.FS

// Examples are apps that embed the element (plain HTML, React, Vue), under
// examples/.
//
//go:embed examples
var Examples embed.FS
