"""`mofawatch check`: a polite look at the live site, with nothing stored.

client: one HTTP client with the crawl's manners (User-Agent, delay, robots.txt,
proxy); probe: which few pages to ask for and what each answered; findings: what
the extractor found on a page and what is missing; report: the printed lines and the
exit code.
"""
