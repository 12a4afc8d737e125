from . import db


class Role(db.Model):
    __tablename__ = "roles"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(64), unique=True)
    users = db.relationship("User", backref="role", lazy="dynamic")

    @staticmethod
    def insert_roles():
        for name in ("User", "Administrator"):
            if Role.query.filter_by(name=name).first() is None:
                db.session.add(Role(name=name))
        db.session.commit()


class User(db.Model):
    __tablename__ = "users"
    id = db.Column(db.Integer, primary_key=True)
    first_name = db.Column(db.String(64))
    last_name = db.Column(db.String(64))
    email = db.Column(db.String(64), unique=True, index=True)
    role_id = db.Column(db.Integer, db.ForeignKey("roles.id"))

    def full_name(self):
        return "%s %s" % (self.first_name, self.last_name)

    @staticmethod
    def generate_fake(count=100):
        role = Role.query.filter_by(name="User").first()
        for i in range(count):
            db.session.add(
                User(first_name="Fake", last_name=str(i), email="fake%d@example.com" % i, role=role)
            )
        db.session.commit()
