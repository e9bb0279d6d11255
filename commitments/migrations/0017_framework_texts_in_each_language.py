"""The framework's texts in each language: the English as it was, and the Spanish translation
(each principle's title and pledge text, each action's title and what "achieved" means), which
staff can refine in the admin."""

from django.db import migrations

PRINCIPLES_ES = {
    1: (
        "Garantizar que la policía rinda cuentas a la comunidad",
        "Los departamentos de policía son financiados por el público y deben rendir cuentas ante el público. "
        "Por lo tanto, nuestro departamento de policía no se investigará a sí mismo, sino que establecerá medidas "
        "de rendición de cuentas imparciales y de cumplimiento exigible en los casos en que se sospeche brutalidad "
        "policial, perfilamiento racial o uso indebido de la fuerza. "
        "Esto incluye crear juntas de revisión eficaces e independientes que representen ampliamente a la comunidad, "
        "y no solo los intereses de la policía. "
        "Las actuaciones, las investigaciones y la publicación de toda la información pertinente, las pruebas y las "
        "recomendaciones de políticas de las juntas de revisión serán transparentes y de acceso público. "
        "Nuestro departamento de policía también se asegurará de que los datos y la información resumida sobre "
        "presuntos casos de brutalidad policial y perfilamiento racial se recopilen debidamente y se pongan a "
        "disposición del público.",
    ),
    2: (
        "Invertir en una capacitación rigurosa y sostenida",
        "Estudios documentados demuestran que los sesgos raciales implícitos influyen en la forma en que los agentes "
        "interactúan con los miembros de la comunidad y con los sospechosos, y que estas percepciones y conductas "
        "pueden ser mortales. "
        "Se exigirá al personal de las fuerzas del orden que reciba capacitación sobre sesgos raciales, además de "
        "desarrollar habilidades que ejemplifiquen estrategias de resolución de problemas, técnicas de mediación de "
        "conflictos, tácticas de desescalada y la comprensión de los aspectos relacionados con la salud mental. "
        "Se dará prioridad a los programas de capacitación ofrecidos por organizaciones comunitarias. "
        "Los agentes adquirirán destreza para responder a las necesidades y las voces de la comunidad, y para lograr "
        "coherencia y continuidad en su relación con la comunidad mientras hacen cumplir la ley.",
    ),
    3: (
        "Garantizar que la policía refleje y respete a la comunidad",
        "El personal de los departamentos de policía debe ser representativo de las comunidades a las que protege "
        "y sirve. "
        "Por lo tanto, nuestro departamento de policía adoptará prácticas de personal que den como resultado la "
        "contratación y retención de un cuerpo diverso de profesionales de las fuerzas del orden que tengan "
        "sensibilidad cultural, hablen los idiomas de las comunidades y residan en las comunidades que patrullan. "
        "El departamento de policía aplicará pautas de contratación y retención orientadas a la diversidad, y les "
        "dará seguimiento, para fomentar la confianza y las alianzas con la comunidad.",
    ),
    4: (
        "Preservar la vida y evitar el uso excesivo de la fuerza",
        "La policía solo hará uso de la fuerza de una manera que preserve la vida y la seguridad de todos los "
        "residentes de nuestra comunidad. "
        "El personal del departamento de policía hará todo lo que esté a su alcance para desescalar las situaciones "
        "y recurrir a alternativas a la fuerza letal. "
        "El departamento de policía no recurrirá a equipamiento ni a tácticas militares —incluido el uso de equipos "
        "SWAT— para controlar problemas cotidianos o protestas pacíficas. "
        "Rechazaremos la transferencia de equipamiento militar a nuestros departamentos de policía y procuraremos "
        "devolver o eliminar de otro modo el armamento militar que ya exista en nuestro inventario.",
    ),
    5: (
        "Usar la tecnología para la supervisión y a la vez proteger la privacidad",
        "Previa aprobación de la comunidad mediante un proceso democrático, nuestro departamento de policía "
        "implementará cámaras corporales u otra tecnología que ayude a investigar la conducta indebida de los "
        "agentes y a exigirles que rindan cuentas por ella, como el perfilamiento por motivos de raza, clase, "
        "religión, género, situación de vivienda, capacidad física o mental u orientación sexual de una persona. "
        "La tecnología solo se utilizará al detener legítimamente a sospechosos con causa probable, y la información "
        "relacionada con la violencia policial que se recopile mediante el uso de la tecnología se hará accesible al "
        "público de inmediato.",
    ),
    6: (
        "Poner fin a la criminalización de las comunidades de color",
        "Daremos menor prioridad a la persecución de las infracciones no violentas de «calidad de vida» o de "
        "«ventanas rotas», que con frecuencia consume demasiados recursos y termina criminalizando a demasiados "
        "jóvenes, y, cuando sea posible, despenalizaremos esas infracciones. "
        "Eliminaremos las cuotas del departamento de policía y reduciremos las multas y los cargos municipales para "
        "suprimir los incentivos económicos que llevan a los agentes de policía a centrarse en infracciones menores.",
    ),
    7: (
        "Redirigir la inversión pública hacia las comunidades",
        "Las comunidades de nuestra ciudad que están sobrevigiladas por la policía son los mismos barrios que más "
        "necesitan mejoras de infraestructura, acceso a alimentos saludables, opciones asequibles de vivienda y "
        "transporte, buenos empleos e importantes servicios de la ciudad. "
        "El presupuesto de la ciudad reflejará una reorientación hacia la prestación de servicios esenciales a estas "
        "comunidades. "
        "Además, todos y cada uno de los departamentos de la ciudad, como los de Vivienda, Desarrollo Comunitario, "
        "Transporte, Planificación, Parques y Recreación, y Obras Públicas, asumirán la responsabilidad de la "
        "seguridad pública —y trabajarán en conjunto para mejorarla—.",
    ),
}

ACTIONS_ES = {
    "1.1": (
        "La policía no se investiga a sí misma",
        "Las muertes y los usos graves de la fuerza son investigados por un organismo independiente del departamento.",
    ),
    "1.2": (
        "Junta civil de revisión independiente",
        "Existe una junta independiente del departamento y ampliamente representativa de la comunidad.",
    ),
    "1.3": (
        "Supervisión de cumplimiento exigible",
        "La junta puede obligar a que se presenten pruebas, y sus conclusiones dan lugar a resultados vinculantes o "
        "de cumplimiento exigible.",
    ),
    "1.4": (
        "Las conclusiones de las revisiones son públicas",
        "Se publican las investigaciones, las pruebas, las conclusiones y las recomendaciones de políticas.",
    ),
    "1.5": (
        "Los datos sobre brutalidad y perfilamiento son públicos",
        "Se recopilan y publican los datos sobre uso de la fuerza, quejas y paradas policiales, desglosados por raza.",
    ),
    "2.1": (
        "Capacitación sobre sesgos raciales",
        "Se exige a todos los agentes completar una capacitación sobre sesgos raciales implícitos y explícitos.",
    ),
    "2.2": (
        "Capacitación en desescalada y mediación",
        "Es obligatoria la capacitación en desescalada, mediación de conflictos y resolución de problemas.",
    ),
    "2.3": (
        "Capacitación en salud mental",
        "Los agentes reciben capacitación para reconocer las crisis de salud mental y responder a ellas.",
    ),
    "2.4": (
        "Capacitadores comunitarios",
        "Se prioriza y se utiliza la capacitación ofrecida por organizaciones comunitarias.",
    ),
    "3.1": (
        "Diversidad en la contratación y la retención",
        "Se adoptan pautas de contratación y retención para lograr un cuerpo policial que refleje a la comunidad.",
    ),
    "3.2": (
        "Seguimiento de la diversidad del personal",
        "Se da seguimiento a la composición demográfica del departamento en comparación con la de la comunidad, "
        "y se publica.",
    ),
    "3.3": (
        "Los agentes viven donde prestan servicio",
        "Existen requisitos o incentivos de residencia para los agentes.",
    ),
    "3.4": (
        "Los agentes hablan los idiomas de la comunidad",
        "Se recluta personal que hable los idiomas de la comunidad y se recompensa ese conocimiento.",
    ),
    "4.1": (
        "Política de uso de la fuerza centrada en preservar la vida",
        "La política exige recurrir a la desescalada y a alternativas antes de usar la fuerza letal.",
    ),
    "4.2": (
        "Sin equipos SWAT para problemas cotidianos ni protestas",
        "La política restringe el uso de equipos tácticos en la labor policial cotidiana y en las protestas pacíficas.",
    ),
    "4.3": (
        "Sin nuevo equipamiento militar",
        "La ciudad rechaza las transferencias de equipamiento militar a su policía.",
    ),
    "4.4": (
        "Retiro del armamento militar existente",
        "El armamento militar que ya figura en el inventario se devuelve o se elimina.",
    ),
    "5.1": (
        "Aprobación comunitaria de la tecnología policial",
        "Toda nueva tecnología de supervisión o vigilancia requiere aprobación mediante un proceso democrático.",
    ),
    "5.2": (
        "Cámaras corporales para la rendición de cuentas",
        "Se implementan cámaras corporales o tecnología similar conforme a una política de acceso público.",
    ),
    "5.3": (
        "Tecnología limitada a un uso legítimo",
        "La política limita su uso a la detención legítima de sospechosos con causa probable.",
    ),
    "5.4": (
        "Las grabaciones de violencia policial son públicas",
        "La información sobre violencia policial recopilada mediante tecnología se divulga con prontitud.",
    ),
    "6.1": (
        "Menor prioridad a las infracciones de «ventanas rotas»",
        "La persecución de las infracciones no violentas de «calidad de vida» pasa a tener menor prioridad, o dichas "
        "infracciones se despenalizan.",
    ),
    "6.2": (
        "Sin cuotas",
        "Se eliminan las cuotas de arrestos, citaciones y paradas.",
    ),
    "6.3": (
        "Menos multas y cargos",
        "Se reducen las multas y los cargos municipales para suprimir los incentivos económicos vinculados a las "
        "infracciones menores.",
    ),
    "7.1": (
        "El presupuesto se redirige hacia las comunidades",
        "El presupuesto de la ciudad traslada recursos a servicios esenciales en los barrios sobrevigilados por la "
        "policía.",
    ),
    "7.2": (
        "Inversión en barrios sobrevigilados por la policía",
        "En esos barrios se financian la infraestructura, los alimentos saludables, la vivienda asequible, el "
        "transporte y los empleos.",
    ),
    "7.3": (
        "Todos los departamentos se responsabilizan de la seguridad pública",
        "Los departamentos de la ciudad comparten la responsabilidad de la seguridad pública mediante un plan conjunto.",
    ),
}


def fill_translations(apps, schema_editor):
    Principle = apps.get_model("commitments", "Principle")
    Action = apps.get_model("commitments", "Action")
    for principle in Principle.objects.all():
        principle.title_en, principle.pledge_text_en = principle.title, principle.pledge_text
        if principle.number in PRINCIPLES_ES:
            principle.title_es, principle.pledge_text_es = PRINCIPLES_ES[principle.number]
        principle.save(update_fields=["title_en", "pledge_text_en", "title_es", "pledge_text_es"])
    for action in Action.objects.all():
        action.title_en, action.achieved_when_en = action.title, action.achieved_when
        if action.code in ACTIONS_ES:
            action.title_es, action.achieved_when_es = ACTIONS_ES[action.code]
        action.save(update_fields=["title_en", "achieved_when_en", "title_es", "achieved_when_es"])


class Migration(migrations.Migration):
    dependencies = [("commitments", "0016_framework_in_spanish")]

    operations = [migrations.RunPython(fill_translations, migrations.RunPython.noop)]
