"""HTTP plumbing, no domain rules: errors, caching, security headers, access rules, language, requests and URLs, forms and refusals, CSV."""
