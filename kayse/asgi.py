import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kayse.settings")
# Web requests get the short database statement timeout (DB_STATEMENT_TIMEOUT).
os.environ.setdefault("KAYSE_PROCESS", "web")
application = get_asgi_application()
