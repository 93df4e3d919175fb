"""News archives written for the tests: a crawl's WARC file, JSON Lines records.

The articles are invented; the WARC file has the shape of a crawler's output: a
warcinfo record, a request before each response, pages and the files around them
(robots.txt, an image), a redirect, metadata, revisits and a URL captured twice.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

INGEST = Path(__file__).parent / "data" / "ingest"

PAGE_A = "https://courrier-estuaire.example/eco/brisemer-fml-formation"
PAGE_B = "https://harbour-courier.example/business/tidewell-office"
PAGE_C = "https://harbour-courier.example/business/corvin-loans"

#: An English page without a publication date in its head (the capture date stands in), in Latin-1.
PAGE_B_HTML = """<!DOCTYPE html>
<html lang="en"><head><title>Tidewell Analytics opens a Rotterdam office | The Harbour Courier</title>
<meta property="og:site_name" content="The Harbour Courier"></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/business">Business</a></li></ul></nav>
<article><h1>Tidewell Analytics opens a Rotterdam office</h1>
<p>Tidewell Analytics has opened an office in Rotterdam, the data firm said on Friday. Its chief executive,
Priya Halloran, said the company would hire forty engineers there by the end of the year.</p>
<p>The office will serve clients in the port's logistics sector, according to a statement. Café owners on
the quay welcomed the news.</p></article>
<footer><p>© 2024 The Harbour Courier · Terms · Privacy</p></footer></body></html>
"""

#: A page a browser-based crawler saved as a resource record (no HTTP headers).
PAGE_C_HTML = """<html lang="en"><head><title>Corvin Bank offers loans to union members</title></head>
<body><article><h1>Corvin Bank offers loans to union members</h1>
<p>Corvin Bank has signed an agreement with the Harbour Workers Union to offer its members low-cost loans,
the union said on Thursday. The bank expects two thousand members to apply in the first year.</p></article>
</body></html>
"""


def write_warc(path: Path, *, gzip: bool = True) -> Path:
    """A crawl of three pages and what surrounds them (see the module's docstring)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    page_a = (INGEST / "saved_page.html").read_bytes()
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)

        def response(uri: str, body: bytes, content_type: str, status: str = "200 OK", date: str = "2024-03-06T10:00:00Z"):
            headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            if status.startswith("301"):
                headers.append(("Location", uri + "/"))
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            request = writer.create_warc_record(
                uri, "request", http_headers=StatusAndHeaders(f"GET {uri} HTTP/1.1", [("Host", "x")], is_http_request=True)
            )
            writer.write_record(request)
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(body), http_headers=http, warc_headers_dict={"WARC-Date": date}
            )
            writer.write_record(record)
            return record

        info = writer.create_warcinfo_record(path.name, {"software": "hand-written crawl", "format": "WARC/1.1"})
        writer.write_record(info)
        response("https://courrier-estuaire.example/robots.txt", b"User-agent: *\nAllow: /\n", "text/plain")
        first = response(PAGE_A, page_a, "text/html; charset=utf-8")
        response("https://courrier-estuaire.example/img/brisemer.jpg", b"\xff\xd8\xff\xe0" + bytes(200), "image/jpeg")
        response("https://harbour-courier.example/business", b"<html>Moved</html>", "text/html", status="301 Moved")
        response(PAGE_B, PAGE_B_HTML.encode("latin-1"), "text/html; charset=ISO-8859-1", date="2024-03-08T17:20:00Z")
        metadata = writer.create_warc_record(
            PAGE_B, "metadata", payload=io.BytesIO(b"outlink: https://harbour-courier.example/\n"),
            warc_content_type="application/warc-fields",
        )  # fmt: skip
        writer.write_record(metadata)
        digest = first.rec_headers.get_header("WARC-Payload-Digest")
        revisit = writer.create_revisit_record(
            PAGE_A, digest=digest, refers_to_uri=PAGE_A, refers_to_date="2024-03-06T10:00:00Z",
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1"),
        )  # fmt: skip
        writer.write_record(revisit)
        # the same page captured again later, with one more comment: a duplicate of its URL
        response(PAGE_A + "#comments", page_a.replace(b"</body>", b"<p>Un commentaire.</p></body>"),
                 "text/html; charset=utf-8", date="2024-03-07T10:00:00Z")  # fmt: skip
        writer.write_record(writer.create_revisit_record(
            "https://elsewhere.example/old", digest=digest, refers_to_uri="https://elsewhere.example/old",
            refers_to_date="2023-01-01T00:00:00Z",
        ))  # fmt: skip
        resource = writer.create_warc_record(
            PAGE_C, "resource", payload=io.BytesIO(PAGE_C_HTML.encode("utf-8")), warc_content_type="text/html",
            warc_headers_dict={"WARC-Date": "2024-03-09T08:00:00Z"},
        )  # fmt: skip
        writer.write_record(resource)
    return path


def jsonl(records: list[dict]) -> str:
    """Records as JSON Lines text."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


FR_ARTICLE = (
    "Marelle Logistique a signé un partenariat avec Brisemer Robotique pour automatiser ses entrepôts de "
    "Saint-Nazaire, a annoncé mardi le transporteur. Le contrat porte sur trois sites et doit permettre de "
    "former deux cents salariés aux nouveaux outils d'ici à la fin de l'année."
)
EN_ARTICLE = (
    "Corvin Bank has invested 12 million euros in Tidewell Analytics, the data firm said on Monday. The "
    "funding will pay for new engineers in Rotterdam and for a training programme for the bank's staff, "
    "according to Priya Halloran, the chief executive of Tidewell Analytics."
)
