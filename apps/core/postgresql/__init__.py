"""Django's PostgreSQL backend with compiled timestamp loading (ENGINE "apps.core.postgresql")."""
