from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from config import config as Config

db = SQLAlchemy()


def create_app(config):
    app = Flask(__name__)
    config_name = config if isinstance(config, str) else "default"
    app.config.from_object(Config[config_name])
    db.init_app(app)
    return app
