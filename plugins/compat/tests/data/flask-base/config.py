import os

basedir = os.path.abspath(os.path.dirname(__file__))


class Config:
    APP_NAME = "Flask-Base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "SECRET_KEY_ENV_VAR_NOT_SET")
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    ADMIN_EMAIL = os.environ.get("ADMIN_EMAIL", "flask-base-admin@example.com")
    ADMIN_PASSWORD = os.environ.get("ADMIN_PASSWORD", "password")


class DevelopmentConfig(Config):
    DEBUG = True
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DEV_DATABASE_URL", "sqlite:///" + os.path.join(basedir, "data-dev.sqlite")
    )


class ProductionConfig(Config):
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", "sqlite:///" + os.path.join(basedir, "data.sqlite")
    )


config = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "default": DevelopmentConfig,
}
