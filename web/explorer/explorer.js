// Starts GraphiQL against this server's /graphql with an example to run.
(function () {
  var defaultQuery = [
    '# Search the graph, then follow an entity\'s relationships with their evidence.',
    '{',
    '  search(text: "qualcom", first: 3) {',
    '    score',
    '    entity { id kind name start description }',
    '  }',
    '  entity(id: "snowden-revelations") {',
    '    name',
    '    start',
    '    relationships(direction: OUTGOING) {',
    '      type confidence start',
    '      to { id name }',
    '      evidence { locator quote }',
    '    }',
    '  }',
    '}',
    ''
  ].join('\n');
  // ?query= (and ?variables=) open a given query: the explorer pages link
  // here with the query that produced what they show.
  var params = new URLSearchParams(window.location.search);
  var fetcher = GraphiQL.createFetcher({ url: new URL('graphql', window.location.href).toString() });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, defaultEditorToolsVisibility: true,
      query: params.get('query') || undefined, variables: params.get('variables') || undefined })
  );
})();
