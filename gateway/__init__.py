"""The HTTP front of Açık Kapı: web, app and desk clients, SMS callbacks, monitoring."""
