"""A local copy of deploy/nginx.conf for benchmarks and trials on this machine: plain
HTTP on 127.0.0.1, no TLS, cache and logs in a directory of its own, static files from
this checkout. Prints the path of the main configuration it wrote.

    python bench/nginx_local.py --dir /tmp/dauys-nginx --listen 8089 --upstream 8000
    nginx -c /tmp/dauys-nginx/nginx.conf          # nginx -s stop -c ... to stop it
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def local_config(directory: Path, listen: int, upstream: int) -> Path:
    site = (ROOT / "deploy" / "nginx.conf").read_text()
    site = site.replace("/var/cache/nginx/dauys", str(directory / "cache"))
    site = re.sub(r"server \{\n    listen 80;.*?\n\}\n", "", site, flags=re.S)  # the HTTPS redirect
    site = re.sub(r"    listen 443 ssl http2;\n    listen \[::\]:443 ssl http2;\n", f"    listen 127.0.0.1:{listen};\n", site)
    site = re.sub(r"    ssl_[^\n]*\n", "", site)
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    site = site.replace("/srv/dauys/app/static/", f"{ROOT / 'app' / 'static'}/")
    for sub in ("cache", "logs", "tmp"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    # nginx's workers run as another user: they must reach the cache and temp files.
    for path in (directory, directory / "cache", directory / "tmp"):
        path.chmod(0o755)
    temp = directory / "tmp"
    main = directory / "nginx.conf"
    main.write_text(f"""worker_processes 2;
pid {directory}/nginx.pid;
error_log {directory}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
  include /etc/nginx/mime.types;
  # As in Debian's /etc/nginx/nginx.conf, which the production recipe runs under.
  sendfile on;
  tcp_nopush on;
  types_hash_max_size 2048;
  access_log off;
  client_body_temp_path {temp}/body; proxy_temp_path {temp}/proxy; fastcgi_temp_path {temp}/fcgi;
  uwsgi_temp_path {temp}/uwsgi; scgi_temp_path {temp}/scgi;
{site}
}}
""")
    return main


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/dauys-nginx"))
    parser.add_argument("--listen", type=int, default=8089)
    parser.add_argument("--upstream", type=int, default=8000)
    args = parser.parse_args()
    print(local_config(args.dir, args.listen, args.upstream))
